// Lost writes: an acknowledged PUT/POST that took effect ("inserted" or
// "updated") must be what every later read of its key sees, until another
// operation that may change the key could have come between them. A read
// that began after the write was acknowledged and saw something else, with
// no such operation overlapping [write invoke, read complete], proves the
// write lost. Weaker than linearizability, but it names the write.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "launcher/chaos/key_history.h"

namespace ts::chaos {

struct LostWrite {
  std::string key;
  size_t write_op = 0;                // index into History::ops
  size_t read_op = 0;                 // the first read that proves it
  std::optional<std::string> seen;    // what that read saw (nullopt: no pair)
};

// One entry per lost write, by key then write.
std::vector<LostWrite> FindLostWrites(const KeyHistories& keys);

}  // namespace ts::chaos
