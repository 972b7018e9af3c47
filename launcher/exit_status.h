// How a child process ended, as waitpid reports it: exited with a status, or
// killed by a signal. Code() is the shell's convention (128 + signal), which
// the launcher writes to DIR/run/<part>.exit; Describe() is what people read
// ("exited with status 2", "killed by SIGKILL").
#pragma once

#include <string.h>

#include <string>

namespace ts::launcher {

struct ExitStatus {
  enum class How { kExited, kSignaled };
  How how = How::kExited;
  int value = 0;  // the exit status, or the signal number

  static ExitStatus Exited(int status) { return {How::kExited, status}; }
  static ExitStatus Signaled(int signal_number) { return {How::kSignaled, signal_number}; }
  // From the shell's convention: above 128 means killed by signal (code - 128).
  static ExitStatus FromCode(int code) { return code > 128 ? Signaled(code - 128) : Exited(code); }

  int Code() const { return how == How::kSignaled ? 128 + value : value; }
  std::string Describe() const {
    if (how == How::kExited) return "exited with status " + std::to_string(value);
    const char* name = ::sigabbrev_np(value);
    return "killed by " + (name != nullptr ? "SIG" + std::string(name) : "signal " + std::to_string(value));
  }
  friend bool operator==(const ExitStatus&, const ExitStatus&) = default;
};

}  // namespace ts::launcher
