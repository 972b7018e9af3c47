// How launcher commands ask a running supervisor for what only it can do:
// start a part (it must be the parent, to reap it with waitpid) and learn
// that a part is being stopped on purpose (so it is not restarted). One line
// per request, one line per answer, on a Unix socket in the abstract
// namespace named after the supervisor's pid: nothing in the file system to
// go stale, and a supervisor that died takes its socket with it.
//
//   request          answer
//   "stop PART"      "ok"
//   "start PART"     "started PID" | "failed WHY"
//
// Every read, write and connect is bounded by a timeout.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include "common/status.h"

namespace ts::launcher {

class ControlServer {
 public:
  // Listens on the socket of supervisor `self`.
  static Result<ControlServer> Listen(pid_t self);
  ControlServer(ControlServer&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ControlServer& operator=(ControlServer&&) = delete;
  ~ControlServer();

  int fd() const { return fd_; }  // readable: a request is waiting

  struct Request {
    int connection = -1;
    std::string line;
  };
  // One waiting request (nullopt when none, or when it did not arrive in
  // `timeout`); answer it with Answer, which closes the connection.
  std::optional<Request> Accept(std::chrono::milliseconds timeout);
  static void Answer(Request& request, const std::string& line);

 private:
  explicit ControlServer(int fd) : fd_(fd) {}
  int fd_;
};

// Sends `request` to supervisor `supervisor` and waits up to `timeout` for
// its answer line. The error says whether it could not be reached or did not
// answer.
Result<std::string> AskSupervisor(pid_t supervisor, const std::string& request, std::chrono::milliseconds timeout);

}  // namespace ts::launcher
