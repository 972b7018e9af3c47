#include "launcher/control_channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ts::launcher {
namespace {

// A request or an answer is one short line.
constexpr size_t kMaxLine = 4096;

sockaddr_un AddressOf(pid_t supervisor, socklen_t* length) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string name = "tuplestar-supervisor-" + std::to_string(supervisor);
  // Abstract namespace: sun_path starts with a NUL byte.
  std::memcpy(address.sun_path + 1, name.data(), name.size());
  *length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  return address;
}

void SetTimeouts(int fd, std::chrono::milliseconds timeout) {
  timeval value{};
  value.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  value.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, sizeof value);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, sizeof value);
}

bool WriteLine(int fd, const std::string& line) {
  const std::string bytes = line + "\n";
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + written, bytes.size() - written, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

std::optional<std::string> ReadLine(int fd) {
  std::string line;
  char byte = 0;
  while (line.size() < kMaxLine) {
    const ssize_t n = ::recv(fd, &byte, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    if (byte == '\n') return line;
    line.push_back(byte);
  }
  return std::nullopt;
}

Error SystemError(const std::string& what) { return Error{ErrorKind::kUnavailable, what + ": " + std::strerror(errno)}; }

}  // namespace

Result<ControlServer> ControlServer::Listen(pid_t self) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return SystemError("socket");
  socklen_t length = 0;
  sockaddr_un address = AddressOf(self, &length);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd, 16) != 0) {
    Error error = SystemError("cannot listen for launcher commands");
    ::close(fd);
    return error;
  }
  return ControlServer(fd);
}

ControlServer::~ControlServer() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<ControlServer::Request> ControlServer::Accept(std::chrono::milliseconds timeout) {
  const int connection = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (connection < 0) return std::nullopt;
  SetTimeouts(connection, timeout);
  std::optional<std::string> line = ReadLine(connection);
  if (!line) {
    ::close(connection);
    return std::nullopt;
  }
  return Request{connection, *line};
}

void ControlServer::Answer(Request& request, const std::string& line) {
  WriteLine(request.connection, line);
  ::close(request.connection);
  request.connection = -1;
}

Result<std::string> AskSupervisor(pid_t supervisor, const std::string& request, std::chrono::milliseconds timeout) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SystemError("socket");
  SetTimeouts(fd, timeout);
  socklen_t length = 0;
  sockaddr_un address = AddressOf(supervisor, &length);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    Error error = SystemError("cannot reach the supervisor (pid " + std::to_string(supervisor) + ")");
    ::close(fd);
    return error;
  }
  std::optional<std::string> answer;
  if (WriteLine(fd, request)) answer = ReadLine(fd);
  ::close(fd);
  if (!answer) {
    return Error{ErrorKind::kUnavailable, "the supervisor (pid " + std::to_string(supervisor) + ") did not answer '" +
                                              request + "' within " + std::to_string(timeout.count()) + " ms"};
  }
  return *answer;
}

}  // namespace ts::launcher
