// WriteUndo: what a write replaced, so that a primary can take back a write
// that too few backups confirmed.
//
// Capture, before executing a request, the values (or absence) of the keys a
// PUT or POST names; after executing it, Restore(effect, reply) is the
// WriteEffect that puts every key the write changed back as it was: PUT and
// POST keys from the captured values, DELETE keys from the pairs the DELETE
// returned (a DELETE names its keys only by pattern). Applying the write's
// effect and then its restore leaves the space exactly as it was.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nodes/space/space.h"

namespace ts::cluster {

class WriteUndo {
 public:
  static WriteUndo Capture(const TupleSpace& space, const Request& request);
  WriteEffect Restore(const WriteEffect& effect, const Reply& reply) const;

 private:
  // Each key the request names, in request order, with its value before (or absent).
  std::vector<std::pair<std::string, std::optional<std::string>>> before_;
};

}  // namespace ts::cluster
