// One of our binaries on a pseudo-terminal, driven as a person at a terminal
// would: bytes typed in (Ctrl-C as "\x03", Enter as "\r"), the screen read
// back. Every wait is bounded; the destructor kills a child still running.
#pragma once

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ts::testing {

class PtyProcess {
 public:
  // `environment`: NAME=VALUE settings added to (or replacing in) ours.
  PtyProcess(const std::string& binary, std::vector<std::string> arguments,
             const std::vector<std::pair<std::string, std::string>>& environment) {
    winsize size{};
    size.ws_row = 40;
    size.ws_col = 160;
    pid_ = ::forkpty(&master_, nullptr, nullptr, &size);
    if (pid_ == 0) {
      for (const auto& [name, value] : environment) ::setenv(name.c_str(), value.c_str(), 1);
      std::vector<char*> argv;
      std::string program = binary;
      argv.push_back(program.data());
      for (std::string& argument : arguments) argv.push_back(argument.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
  }
  ~PtyProcess() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
    }
    if (master_ >= 0) ::close(master_);
  }
  PtyProcess(const PtyProcess&) = delete;
  PtyProcess& operator=(const PtyProcess&) = delete;

  bool started() const { return pid_ > 0 && master_ >= 0; }

  void Type(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(master_, bytes.data(), bytes.size());
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  // Waits until `text` appears in what the program wrote after the previous
  // match; true when it did before `timeout`.
  bool WaitFor(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const size_t found = screen_.find(text, matched_up_to_);
      if (found != std::string::npos) {
        matched_up_to_ = found + text.size();
        return true;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !ReadSome(left)) return false;
    }
  }

  // Everything the program wrote so far (escape sequences included).
  const std::string& screen() const { return screen_; }

  void Signal(int signal) { ::kill(pid_, signal); }

  bool running() {
    if (exited_) return false;
    if (::waitpid(pid_, &status_, WNOHANG) == pid_) exited_ = true;
    return !exited_;
  }

  // The exit code (128 + signal when killed), or nullopt if still running at the timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      ReadSome(std::chrono::milliseconds(10));  // keep the pty drained
    }
    if (WIFEXITED(status_)) return WEXITSTATUS(status_);
    return 128 + WTERMSIG(status_);
  }

 private:
  // Reads what is there within `timeout`; false when nothing more can come.
  bool ReadSome(std::chrono::milliseconds timeout) {
    pollfd item{master_, POLLIN, 0};
    int ready = ::poll(&item, 1, static_cast<int>(timeout.count()));
    if (ready <= 0) return ready == 0;
    char buffer[4096];
    ssize_t n = ::read(master_, buffer, sizeof buffer);
    if (n <= 0) return false;  // EIO: the child closed the terminal
    screen_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int master_ = -1;
  int status_ = 0;
  bool exited_ = false;
  std::string screen_;
  size_t matched_up_to_ = 0;
};

}  // namespace ts::testing
