// Test support for process-level tests: free ports, temp dirs, child processes
// of our real binaries, and bounded waits. Header-only; used by tests/*/.
//
// Waits poll a condition until a deadline and report whether it came true, so a
// test never sleeps for a fixed time and never hangs: every wait is bounded.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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

// A TCP port on 127.0.0.1 that nobody listened on a moment ago (the kernel's
// choice for port 0). Ports from the ephemeral range could in theory be taken
// again before use; tests that bind retry with a new port if that happens.
inline int FreeTcpPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    throw std::runtime_error("bind() failed");
  }
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
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

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The last `max_lines` lines of `text` (all of it when shorter).
inline std::string TailLines(const std::string& text, size_t max_lines) {
  if (max_lines == 0) return "";
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;  // a trailing newline ends the last line
  size_t position = end;
  for (size_t lines = 0; lines < max_lines; ++lines) {
    size_t newline = position == 0 ? std::string::npos : text.rfind('\n', position - 1);
    if (newline == std::string::npos) return text;
    position = newline;
  }
  return text.substr(position + 1);
}

// One of our binaries, run as a child with stdout and stderr sent to a log file.
// The destructor kills it (SIGKILL) if it is still running, so a failing test
// leaves nothing behind.
class ChildProcess {
 public:
  ChildProcess(std::string binary, std::vector<std::string> arguments, std::string log_path)
      : binary_(std::move(binary)), arguments_(std::move(arguments)), log_path_(std::move(log_path)) {
    Start();
  }
  ~ChildProcess() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      Wait(5s);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts the binary. The child gets SIGKILL when the thread that started it
  // ends (PR_SET_PDEATHSIG), so a test binary that crashes or is killed by a
  // ctest timeout leaves no broker or node behind. Start it from the test's
  // main thread. Throws when the binary cannot be executed.
  void Start() {
    std::vector<char*> argv;
    argv.push_back(binary_.data());
    for (std::string& argument : arguments_) argv.push_back(argument.data());
    argv.push_back(nullptr);
    int exec_error_pipe[2];
    if (::pipe2(exec_error_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(exec_error_pipe[0]);
      ::close(exec_error_pipe[1]);
      throw std::runtime_error("cannot fork to start " + binary_);
    }
    if (pid == 0) {
      // The child of a possibly multi-threaded parent: async-signal-safe calls only.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the parent is already gone
      int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      int input = ::open("/dev/null", O_RDONLY);
      if (log < 0 || input < 0 || ::dup2(log, STDOUT_FILENO) < 0 || ::dup2(log, STDERR_FILENO) < 0 ||
          ::dup2(input, STDIN_FILENO) < 0) {
        int error = errno;
        (void)!::write(exec_error_pipe[1], &error, sizeof(error));
        ::_exit(127);
      }
      ::execve(binary_.c_str(), argv.data(), environ);
      int error = errno;
      (void)!::write(exec_error_pipe[1], &error, sizeof(error));
      ::_exit(127);
    }
    ::close(exec_error_pipe[1]);
    int child_error = 0;
    ssize_t got = 0;
    do {
      got = ::read(exec_error_pipe[0], &child_error, sizeof(child_error));
    } while (got < 0 && errno == EINTR);
    ::close(exec_error_pipe[0]);
    if (got > 0) {  // exec failed: the pipe carried errno before closing
      ::waitpid(pid, nullptr, 0);
      throw std::runtime_error("cannot start " + binary_ + ": " + std::strerror(child_error));
    }
    pid_ = pid;
    exit_status_.reset();
  }

  bool running() {
    if (exit_status_) return false;
    int status = 0;
    pid_t rc = ::waitpid(pid_, &status, WNOHANG);
    if (rc == pid_) {
      exit_status_ = status;
      return false;
    }
    return true;
  }

  void Signal(int signal_number) {
    if (running()) ::kill(pid_, signal_number);
  }

  // Waits for the child to end; returns its exit code (128+signal if killed),
  // or nullopt if it is still running at the timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout) {
    if (!WaitUntil([this] { return !running(); }, timeout)) return std::nullopt;
    return ExitCode();
  }

  std::optional<int> ExitCode() const {
    if (!exit_status_) return std::nullopt;
    if (WIFEXITED(*exit_status_)) return WEXITSTATUS(*exit_status_);
    if (WIFSIGNALED(*exit_status_)) return 128 + WTERMSIG(*exit_status_);
    return std::nullopt;
  }

  pid_t pid() const { return pid_; }
  std::string log() const { return ReadFile(log_path_); }
  const std::string& log_path() const { return log_path_; }

 private:
  std::string binary_;
  std::vector<std::string> arguments_;
  std::string log_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

// Path of a binary built by this tree, e.g. BinaryPath("brokers/tsbroker").
inline std::string BinaryPath(const std::string& relative) {
  return std::string(TS_BINARY_DIR) + "/" + relative;
}

}  // namespace ts::testing
