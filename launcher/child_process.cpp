#include "launcher/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace ts::launcher {
namespace {

// How often Wait looks at waitpid(WNOHANG).
constexpr std::chrono::milliseconds kReapPollInterval{5};
// SIGKILL ends a process at once; reaping it is bounded all the same.
constexpr std::chrono::milliseconds kKillReapTimeout{5'000};

Error SystemError(const std::string& what, int error_number) {
  return Error{ErrorKind::kInternal, what + ": " + std::strerror(error_number)};
}

ExitStatus FromWaitStatus(int status) {
  if (WIFSIGNALED(status)) return ExitStatus::Signaled(WTERMSIG(status));
  return ExitStatus::Exited(WEXITSTATUS(status));
}

// Writes errno to the pipe and ends the child: only async-signal-safe calls.
[[noreturn]] void ChildFails(int pipe_fd) {
  const int error = errno;
  (void)!::write(pipe_fd, &error, sizeof error);
  ::_exit(127);
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string log_path, SpawnOptions options)
    : argv_(std::move(argv)), log_path_(std::move(log_path)), options_(options) {}

ChildProcess::~ChildProcess() {
  if (started_ && running()) Kill();
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept { *this = std::move(other); }

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this == &other) return *this;
  if (started_ && running()) Kill();
  argv_ = std::move(other.argv_);
  log_path_ = std::move(other.log_path_);
  options_ = other.options_;
  pid_ = other.pid_;
  started_ = other.started_;
  exit_status_ = other.exit_status_;
  other.started_ = false;
  other.pid_ = -1;
  return *this;
}

Status ChildProcess::Start() {
  if (argv_.empty()) return Error{ErrorKind::kInternal, "nothing to start"};
  if (started_ && running()) return Error{ErrorKind::kInternal, argv_[0] + " is already running"};
  // Everything the child needs is prepared here: after fork it may only make
  // async-signal-safe calls (the parent may have threads, e.g. ZeroMQ's).
  std::vector<char*> args;
  for (const std::string& arg : argv_) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return SystemError("cannot open " + log_path_, errno);
  const int input = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int exec_error_pipe[2];
  if (input < 0 || ::pipe2(exec_error_pipe, O_CLOEXEC) != 0) {
    const int error = errno;
    ::close(log);
    if (input >= 0) ::close(input);
    return SystemError("cannot prepare to start " + argv_[0], error);
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    for (int fd : {log, input, exec_error_pipe[0], exec_error_pipe[1]}) ::close(fd);
    return SystemError("cannot fork to start " + argv_[0], error);
  }
  if (pid == 0) {
    if (options_.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the parent is already gone
    }
    if (options_.own_session ? ::setsid() < 0 : ::setpgid(0, 0) != 0) ChildFails(exec_error_pipe[1]);
    if (::dup2(log, STDOUT_FILENO) < 0 || ::dup2(log, STDERR_FILENO) < 0 || ::dup2(input, STDIN_FILENO) < 0) {
      ChildFails(exec_error_pipe[1]);
    }
    // The parent's handlers are reset by exec, but its blocked and ignored
    // signals are not: give the binary the defaults.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int signal_number : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGCHLD}) ::signal(signal_number, SIG_DFL);
    ::execve(args[0], args.data(), environ);
    ChildFails(exec_error_pipe[1]);
  }
  for (int fd : {log, input, exec_error_pipe[1]}) ::close(fd);
  int child_error = 0;
  ssize_t got = 0;
  do {
    got = ::read(exec_error_pipe[0], &child_error, sizeof child_error);
  } while (got < 0 && errno == EINTR);
  ::close(exec_error_pipe[0]);
  if (got > 0) {  // the pipe carried errno before closing: the exec failed
    ::waitpid(pid, nullptr, 0);
    return SystemError("cannot start " + argv_[0], child_error);
  }
  pid_ = pid;
  started_ = true;
  exit_status_.reset();
  return Status::Ok();
}

bool ChildProcess::running() {
  if (!started_ || exit_status_) return false;
  int status = 0;
  pid_t done = 0;
  do {
    done = ::waitpid(pid_, &status, WNOHANG);
  } while (done < 0 && errno == EINTR);
  if (done == pid_) {
    exit_status_ = FromWaitStatus(status);
    return false;
  }
  if (done < 0) {  // not our child any more (reaped elsewhere): it is gone, how is unknown
    exit_status_ = ExitStatus::Exited(-1);
    return false;
  }
  return true;
}

void ChildProcess::Signal(int signal_number) {
  if (running()) ::kill(pid_, signal_number);
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kReapPollInterval);
  }
  return ExitCode();
}

bool ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (!running()) return true;
  ::kill(pid_, SIGTERM);
  if (Wait(grace)) return true;
  Kill();
  return false;
}

void ChildProcess::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  Wait(kKillReapTimeout);
}

void ChildProcess::Release() {
  started_ = false;
  pid_ = -1;
}

std::optional<int> ChildProcess::ExitCode() const {
  if (!exit_status_) return std::nullopt;
  return exit_status_->Code();
}

std::string ChildProcess::log() const {
  std::ifstream in(log_path_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool ProcessAlive(pid_t pid, const std::string& name) {
  if (pid <= 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  // "PID (COMM) STATE ...": COMM may hold spaces and parentheses, so the state
  // follows the last ')'.
  const std::string prefix = std::to_string(pid) + " (" + name + ") ";
  if (line.rfind(prefix, 0) != 0 || line.size() <= prefix.size()) return false;
  return line[prefix.size()] != 'Z' && line[prefix.size()] != 'X';
}

bool WaitProcessGone(pid_t pid, const std::string& name, std::chrono::milliseconds timeout) {
  if (!ProcessAlive(pid, name)) return true;
  // A pidfd becomes readable when the process ends, whoever its parent is.
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return errno == ESRCH;
  pollfd item{fd, POLLIN, 0};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int ready = 0;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    ready = ::poll(&item, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    if (ready >= 0 || errno != EINTR) break;
  }
  ::close(fd);
  return ready > 0;
}

}  // namespace ts::launcher
