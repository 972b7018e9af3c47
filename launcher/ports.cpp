#include "launcher/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <random>

namespace ts::launcher {
namespace {

// How many random bases FreePortBase tries before it gives up.
constexpr int kPortBaseAttempts = 200;
// FreeTcpPort's range: below the ephemeral ports (32768.. by default) and
// clear of the launcher's script bases (20000..29999, tscluster_main.cpp).
constexpr int kFreePortLowest = 10'000;
constexpr int kFreePortHighest = 19'999;
constexpr int kFreePortAttempts = 200;

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

Error SystemError(const std::string& what) { return Error{ErrorKind::kInternal, what + ": " + std::strerror(errno)}; }

}  // namespace

Result<int> FreeTcpPort() {
  // Below the kernel's ephemeral ports: a port the kernel hands out for
  // bind(0) is in the range every outgoing connect() takes its local port
  // from, and a connection of some other process (a ZeroMQ reconnect, say)
  // could take it before the caller binds it ("Address already in use", seen
  // in a full ctest run). Picked at random so side-by-side callers rarely meet.
  const std::optional<PortRange> ephemeral = EphemeralPortRange();
  if (!ephemeral || !Overlaps(kFreePortLowest, kFreePortHighest, *ephemeral)) {
    thread_local std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> pick(kFreePortLowest, kFreePortHighest);
    for (int attempt = 0; attempt < kFreePortAttempts; ++attempt) {
      const int port = pick(random);
      if (PortBindable(port)) return port;
    }
  }
  return KernelPickedPort();
}

Result<int> KernelPickedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SystemError("socket");
  sockaddr_in address = Loopback(0);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    Error error = SystemError("bind a free port");
    ::close(fd);
    return error;
  }
  ::close(fd);
  return static_cast<int>(ntohs(address.sin_port));
}

bool PortBindable(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address = Loopback(port);
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

bool PortInUse(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address = Loopback(port);
  int rc = 0;
  do {
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);  // loopback: at once
  } while (rc != 0 && errno == EINTR);
  ::close(fd);
  return rc == 0;
}

Result<int> FreePortBase(int span, int lowest, int highest) {
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pick(lowest / 100 + (lowest % 100 != 0), highest / 100);
  for (int attempt = 0; attempt < kPortBaseAttempts; ++attempt) {
    const int base = pick(random) * 100;
    bool all_free = base + span <= 65535;
    for (int port = base; port <= base + span && all_free; ++port) all_free = PortBindable(port);
    if (all_free) return base;
  }
  return Error{ErrorKind::kUnavailable, "no free range of " + std::to_string(span + 1) + " ports with a base in " +
                                            std::to_string(lowest) + ".." + std::to_string(highest)};
}

std::optional<PortRange> ParsePortRange(const std::string& text) {
  std::istringstream in(text);
  PortRange range;
  std::string rest;
  if (!(in >> range.lowest >> range.highest) || (in >> rest)) return std::nullopt;
  if (range.lowest < 1 || range.highest > 65535 || range.lowest > range.highest) return std::nullopt;
  return range;
}

std::optional<PortRange> EphemeralPortRange() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  std::stringstream text;
  text << in.rdbuf();
  return ParsePortRange(text.str());
}

bool Overlaps(int first, int last, PortRange range) { return first <= range.highest && range.lowest <= last; }

}  // namespace ts::launcher
