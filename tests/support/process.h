// Test support for process-level tests: free ports, temp dirs, child processes
// of our real binaries, and bounded waits; the ports and the child processes
// are the launcher's (launcher/), so tests link ts_launcher. Used by tests/*/.
//
// Waits poll a condition until a deadline and report whether it came true, so a
// test never sleeps for a fixed time and never hangs: every wait is bounded.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "launcher/child_process.h"
#include "launcher/ports.h"
#include "launcher/run_state.h"

extern char** environ;

namespace ts::testing {

using namespace std::chrono_literals;

// How often bounded waits look at their condition.
constexpr auto kWaitPollInterval = 10ms;

// Polls condition until it returns true or timeout passes; returns its last verdict.
inline bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kWaitPollInterval);
  }
}

// A TCP port on 127.0.0.1 that nobody listened on a moment ago
// (launcher/ports.h); throws when there is none. A port could in theory be
// taken again before use; tests that bind retry with a new port if so.
inline int FreeTcpPort() {
  Result<int> port = launcher::FreeTcpPort();
  if (!port.ok()) throw std::runtime_error(port.error().message);
  return port.value();
}

inline std::string LoopbackEndpoint(int port) { return "tcp://127.0.0.1:" + std::to_string(port); }

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tuplestar-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A whole file ("" when it cannot be read), and the last lines of a text as
// `tail -n` gives them: the launcher's (launcher/run_state.h).
inline std::string ReadFile(const std::string& path) { return launcher::ReadText(path); }
using launcher::TailLines;

// One of our binaries as a child (launcher/child_process.h, the one
// child-process class), started at construction: stdout and stderr go to a
// log file, and it gets SIGKILL when the test's thread that started it ends,
// so a crashed test leaves nothing behind (start it from the test's main
// thread). The destructor kills it if still running. Start() starts it again
// with the same flags; both throw when the binary cannot be executed.
class ChildProcess : public launcher::ChildProcess {
 public:
  ChildProcess(std::string binary, std::vector<std::string> arguments, std::string log_path)
      : launcher::ChildProcess(Argv(std::move(binary), std::move(arguments)), std::move(log_path)) {
    Start();
  }

  void Start() {
    Status started = launcher::ChildProcess::Start();
    if (!started.ok()) throw std::runtime_error(started.error().message);
  }

 private:
  static std::vector<std::string> Argv(std::string binary, std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), std::move(binary));
    return arguments;
  }
};

// Path of a binary built by this tree, e.g. BinaryPath("brokers/tsbroker").
inline std::string BinaryPath(const std::string& relative) {
  return std::string(TS_BINARY_DIR) + "/" + relative;
}

}  // namespace ts::testing
