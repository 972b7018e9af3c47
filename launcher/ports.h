// Loopback ports for clusters on one machine: a port nobody listens on (the
// kernel's pick), a base whose whole range is free, and whether something
// accepts connections on a port. The one implementation the launcher, the
// tests and the benchmarks share.
//
// A port found free can be taken by someone else before it is bound; callers
// that bind (the integration fixture) retry on fresh ports when a process
// exits at start.
#pragma once

#include "common/status.h"

namespace ts::launcher {

// A TCP port on 127.0.0.1 that nobody listened on a moment ago.
Result<int> FreeTcpPort();

// True when `port` on 127.0.0.1 can be bound right now.
bool PortBindable(int port);

// True when something accepts TCP connections on 127.0.0.1:`port` (what
// `up` refuses to start on).
bool PortInUse(int port);

// A base B, a multiple of 100 in [lowest, highest], such that B..B+span are
// all bindable: for a launcher cluster (span = its highest port - B). Picked
// at random, so that side-by-side callers rarely collide.
Result<int> FreePortBase(int span, int lowest, int highest);

}  // namespace ts::launcher
