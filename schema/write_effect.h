// WriteEffect: what one write changed in a tuple space, in text form, in the
// order it was applied. The primary produces it (nodes/space/space.h), the
// backups apply it, and it travels in every replicated LogEntry; it is a wire
// value, so the broker can carry it without linking a tuple space.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ts {

struct WriteEffect {
  std::vector<std::pair<std::string, std::string>> upserts;  // key text -> value text
  std::vector<std::string> erased_keys;                      // key texts removed
  bool empty() const { return upserts.empty() && erased_keys.empty(); }
  friend bool operator==(const WriteEffect&, const WriteEffect&) = default;
};

}  // namespace ts
