#include "launcher/console.h"

#include <iostream>

namespace ts::launcher {

void Say(const std::string& message) { std::cerr << "[run.sh] " << message << std::endl; }
void Warn(const std::string& message) { std::cerr << "[run.sh] warning: " << message << std::endl; }

void Die(const std::string& message, int code) {
  std::cerr << "[run.sh] error: " << message << std::endl;
  throw CommandExit{code};
}

}  // namespace ts::launcher
