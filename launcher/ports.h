// Loopback ports for clusters on one machine: a port nobody listens on (the
// kernel's pick), a base whose whole range is free, and whether something
// accepts connections on a port. The one implementation the launcher, the
// tests and the benchmarks share.
//
// A port found free can be taken by someone else before it is bound; callers
// that bind (the integration fixture) retry on fresh ports when a process
// exits at start.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"

namespace ts::launcher {

// A TCP port on 127.0.0.1 that nobody listened on a moment ago, picked at
// random in 10000..19999, below the kernel's ephemeral ports (where outgoing
// connections take their local ports); KernelPickedPort when that range is
// ephemeral here or full.
Result<int> FreeTcpPort();
// The port the kernel gives a bind to port 0 (in the ephemeral range).
Result<int> KernelPickedPort();

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

namespace ts::launcher {

// The kernel's ephemeral port range (/proc/sys/net/ipv4/ip_local_port_range),
// where connecting sockets get their local ports: a listening port there can
// be taken first by any outgoing connection (a peer's reconnect included), so
// a cluster must not listen there. nullopt when it cannot be read.
struct PortRange {
  int lowest = 0;
  int highest = 0;
};
std::optional<PortRange> EphemeralPortRange();
// The text of ip_local_port_range ("32768\t60999\n"); nullopt when malformed.
std::optional<PortRange> ParsePortRange(const std::string& text);
// True when [first, last] and `range` share a port.
bool Overlaps(int first, int last, PortRange range);

}  // namespace ts::launcher
