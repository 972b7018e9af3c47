// What a cluster directory remembers of the cluster that ran from it, so that
// `./run.sh up --dir D` after a `down` starts the same cluster again (same
// ports, same nodes) without the flags typed the first time:
//
//   DIR/cluster-shape.json   {"port_base": 32000, "nodes": 3, "brokers": 1}
//
// Written by every start; kept by `down` (DIR/run is removed, this is not).
// Flags given to the next `up` win over it, and what they chose is remembered.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"

namespace ts::launcher {

struct ClusterShape {
  int port_base = 0;
  int nodes = 0;
  int brokers = 1;

  bool operator==(const ClusterShape&) const = default;
};

std::string ClusterShapePath(const std::string& dir);

// The JSON text of a shape, and back: a malformed text names what is wrong.
std::string FormatClusterShape(const ClusterShape& shape);
Result<ClusterShape> ParseClusterShape(const std::string& text);

// DIR's remembered shape: nullopt when there is none; an error when the file
// exists but cannot be read or parsed (the message names the file).
Result<std::optional<ClusterShape>> ReadClusterShape(const std::string& dir);
Status WriteClusterShape(const std::string& dir, const ClusterShape& shape);

}  // namespace ts::launcher
