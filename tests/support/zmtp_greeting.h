// Reads the ZMTP 3 greeting a ZeroMQ endpoint sends, over a raw TCP socket,
// to check which security mechanism it offers ("CURVE", "NULL", ...).
// Used to check that every endpoint of a cluster offers CURVE, never NULL.
//
// The helper sends the first 11 bytes of a ZMTP 3 greeting (the signature
// and the major version: libzmq sends the rest of its own greeting only
// after seeing them), reads the server's 64 bytes within `timeout`, and
// closes before it offers a mechanism of its own. (A whole greeting sent at
// once can make libzmq read a mechanism mismatch and drop the connection
// before its greeting is out.) Header-only.
#pragma once

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>

#include "common/status.h"

namespace ts::testing {

inline constexpr size_t kZmtpGreetingBytes = 64;
inline constexpr size_t kZmtpMechanismOffset = 12;
inline constexpr size_t kZmtpMechanismBytes = 20;
inline constexpr size_t kZmtpAsServerOffset = 32;

struct ZmtpGreeting {
  int major = 0;
  int minor = 0;
  std::string mechanism;  // without its NUL padding
  bool as_server = false;  // libzmq 4.3 always sends 0 here, whatever the role
};

// Parses a greeting's 64 bytes (ZMTP 3.x, RFC 23 / 37).
inline Result<ZmtpGreeting> ParseZmtpGreeting(const std::array<uint8_t, kZmtpGreetingBytes>& bytes) {
  if (bytes[0] != 0xFF || (bytes[9] & 0x01) == 0) {
    return Error{ErrorKind::kMalformedRequest, "not a ZMTP 3 signature"};
  }
  ZmtpGreeting greeting;
  greeting.major = bytes[10];
  greeting.minor = bytes[11];
  if (greeting.major < 3) return Error{ErrorKind::kMalformedRequest, "ZMTP " + std::to_string(greeting.major) + ".x"};
  const char* mechanism = reinterpret_cast<const char*>(bytes.data() + kZmtpMechanismOffset);
  greeting.mechanism.assign(mechanism, strnlen(mechanism, kZmtpMechanismBytes));
  greeting.as_server = bytes[kZmtpAsServerOffset] != 0;
  return greeting;
}

// The greeting of the server at "tcp://HOST:PORT", or what went wrong.
inline Result<ZmtpGreeting> ReadZmtpGreeting(const std::string& endpoint, std::chrono::milliseconds timeout) {
  auto fail = [&](const std::string& what) {
    return Result<ZmtpGreeting>(Error{ErrorKind::kUnavailable, endpoint + ": " + what});
  };
  constexpr std::string_view kScheme = "tcp://";
  const size_t colon = endpoint.rfind(':');
  if (endpoint.rfind(kScheme, 0) != 0 || colon == std::string::npos || colon < kScheme.size()) {
    return fail("not a tcp://HOST:PORT endpoint");
  }
  const std::string host = endpoint.substr(kScheme.size(), colon - kScheme.size());
  const std::string port = endpoint.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return fail(std::string("cannot resolve: ") + ::gai_strerror(rc));
  }
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    ::freeaddrinfo(found);
    return fail(std::string("socket: ") + std::strerror(errno));
  }
  const int connected = ::connect(fd, found->ai_addr, found->ai_addrlen);
  const int connect_errno = errno;
  ::freeaddrinfo(found);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Waits for `events` on fd until the deadline; false at the deadline or on error.
  auto wait = [&](short events) {
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd item{fd, events, 0};
      const int rc = ::poll(&item, 1, static_cast<int>(left.count()));
      if (rc < 0 && errno == EINTR) continue;
      return rc > 0 && (item.revents & events) != 0;
    }
  };
  auto close_and_fail = [&](const std::string& what) {
    ::close(fd);
    return fail(what);
  };
  if (connected != 0 && connect_errno != EINPROGRESS) {
    return close_and_fail(std::string("connect: ") + std::strerror(connect_errno));
  }
  if (!wait(POLLOUT)) return close_and_fail("no connection within the timeout");
  int so_error = 0;
  socklen_t length = sizeof(so_error);
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &length);
  if (so_error != 0) return close_and_fail(std::string("connect: ") + std::strerror(so_error));

  constexpr std::array<uint8_t, 11> ours{0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3};  // signature, major 3
  size_t sent = 0;
  while (sent < ours.size()) {
    if (!wait(POLLOUT)) return close_and_fail("cannot send a greeting within the timeout");
    const ssize_t n = ::send(fd, ours.data() + sent, ours.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return close_and_fail(std::string("send: ") + std::strerror(errno));
    sent += static_cast<size_t>(n);
  }
  std::array<uint8_t, kZmtpGreetingBytes> theirs{};
  size_t got = 0;
  while (got < theirs.size()) {
    if (!wait(POLLIN)) return close_and_fail("no whole greeting within the timeout (" + std::to_string(got) + " bytes)");
    const ssize_t n = ::recv(fd, theirs.data() + got, theirs.size() - got, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return close_and_fail(std::string("recv: ") + std::strerror(errno));
    if (n == 0) return close_and_fail("closed after " + std::to_string(got) + " bytes of the greeting");
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  Result<ZmtpGreeting> greeting = ParseZmtpGreeting(theirs);
  if (!greeting.ok()) return fail(greeting.error().message);
  return greeting;
}

}  // namespace ts::testing
