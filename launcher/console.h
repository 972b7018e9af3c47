// What the launcher says, the way run.sh always said it: progress and
// warnings on stderr prefixed "[run.sh]" (tscluster is run.sh's launcher, so
// it speaks as run.sh), results on stdout. Die ends the command with an exit
// code by throwing CommandExit, which tscluster's main turns into the exit
// status (so destructors run).
#pragma once

#include <string>

namespace ts::launcher {

struct CommandExit {
  int code;
};

void Say(const std::string& message);   // "[run.sh] message"
void Warn(const std::string& message);  // "[run.sh] warning: message"
[[noreturn]] void Die(const std::string& message, int code = 1);  // "[run.sh] error: message"

}  // namespace ts::launcher
