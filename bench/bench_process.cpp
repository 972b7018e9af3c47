#include "bench/bench_process.h"

#include <cstdlib>
#include <fstream>
#include <string>

namespace ts::bench {
Result<uint64_t> ResidentKiB(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  std::ifstream status(path);
  if (!status) return Error{ErrorKind::kInternal, "cannot read " + path};
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return static_cast<uint64_t>(std::strtoull(line.c_str() + 6, nullptr, 10));
  }
  return Error{ErrorKind::kInternal, "no VmRSS line in " + path};
}

}  // namespace ts::bench
