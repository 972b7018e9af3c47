#include "launcher/chaos/lost_writes.h"

#include <algorithm>

namespace ts::chaos {

std::vector<LostWrite> FindLostWrites(const KeyHistories& keys) {
  std::vector<LostWrite> lost;
  for (const auto& [key, ops] : keys) {  // each list in invoke order
    for (const KeyOp& write : ops) {
      const bool acknowledged_effect = (write.kind == KeyOp::Kind::kPut || write.kind == KeyOp::Kind::kPost) &&
                                       write.effect == KeyOp::Effect::kApplied;
      if (!acknowledged_effect) continue;
      // A read is explained when some other operation that may change the
      // key began before the read completed and ended after the write began:
      // exactly when the earliest such invoke is before the read's end.
      int64_t first_change_ns = kNeverCompleted;
      // A PUT inserts only into an absent key, so no PUT, however late, hides a
      // pair that is there: only a POST or a DELETE can explain a read that
      // misses the write (without this, one unknown PUT hid every loss of its key).
      for (const KeyOp& other : ops)
        if (&other != &write && other.kind != KeyOp::Kind::kPut && other.may_change_state() &&
            other.complete_ns > write.invoke_ns)
          first_change_ns = std::min(first_change_ns, other.invoke_ns);
      for (const KeyOp& read : ops) {
        if (read.invoke_ns >= first_change_ns) break;  // every later read completes after it
        if ((read.kind != KeyOp::Kind::kRead && read.kind != KeyOp::Kind::kDelete) || !read.observed_known) continue;
        if (read.invoke_ns <= write.complete_ns) continue;  // not strictly after the acknowledgement
        if (read.complete_ns > first_change_ns || read.observed == write.value) continue;
        lost.push_back(LostWrite{key, write.op, read.op, read.observed});
        break;
      }
    }
  }
  return lost;
}

}  // namespace ts::chaos
