// What the namespace tests share: skip (with the reason) when not root, a
// run name of their own (so tests side by side never meet), a temp folder.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "launcher/chaos/netns.h"

namespace ts::tests {

inline bool RootOrSkip() {
  if (launcher::chaos::IsRoot()) return true;
  WARN("skipped: network namespaces need root (this is uid " << ::geteuid() << ")");
  return false;
}

// "t" + 3 characters from the pid and a counter: unique among this machine's runs.
inline std::string TestRunName() {
  static std::atomic<int> counter{0};
  char name[8];
  std::snprintf(name, sizeof name, "t%03x", static_cast<unsigned>((::getpid() * 16 + counter++) % 0xfff));
  return name;
}

class TempFolder {
 public:
  TempFolder() {
    char path[] = "/tmp/tschaos-test-XXXXXX";
    path_ = ::mkdtemp(path) != nullptr ? path : "/tmp";
  }
  ~TempFolder() {
    std::error_code ignored;
    if (path_ != "/tmp") std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ts::tests
