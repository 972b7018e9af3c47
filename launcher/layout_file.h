// A ClusterLayout and the cluster file (common/cluster_file) are one
// description: the launcher writes DIR/cluster.json from its layout and
// starts every part with --cluster DIR/cluster.json --id N; `up --cluster
// FILE` reads a layout from a file. What only the launcher needs (the
// binaries' paths, the log folder) stays in the layout (DIR/run/cluster.json).
#pragma once

#include "common/cluster_file/cluster_file.h"
#include "common/status.h"
#include "launcher/cluster_layout.h"

namespace ts::launcher {

// The file for `layout`: every part's endpoints and host, each node's data
// directory (when the layout gives nodes one) and export, the keys folder
// (or insecure), the timeouts and limits.
cluster_file::ClusterFile ToClusterFile(const ClusterLayout& layout);

// The layout of a file: its parts, hosts, data directories, keys and timing
// (unset heartbeat/liveness: tsnode's defaults). The caller sets the
// binaries, the log folder and data_dir (where parts without their own
// data_dir/save would keep theirs).
ClusterLayout LayoutFromClusterFile(const cluster_file::ClusterFile& file);

}  // namespace ts::launcher
