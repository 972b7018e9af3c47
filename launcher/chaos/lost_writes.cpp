#include "launcher/chaos/lost_writes.h"

namespace ts::chaos {

std::vector<LostWrite> FindLostWrites(const KeyHistories& keys) {
  std::vector<LostWrite> lost;
  for (const auto& [key, ops] : keys) {
    for (const KeyOp& write : ops) {
      const bool acknowledged_effect = (write.kind == KeyOp::Kind::kPut || write.kind == KeyOp::Kind::kPost) &&
                                       write.effect == KeyOp::Effect::kApplied;
      if (!acknowledged_effect) continue;
      for (const KeyOp& read : ops) {
        if ((read.kind != KeyOp::Kind::kRead && read.kind != KeyOp::Kind::kDelete) || !read.observed_known) continue;
        if (read.invoke_ns <= write.complete_ns) continue;  // not strictly after the acknowledgement
        if (read.observed == write.value) continue;
        bool explained = false;
        for (const KeyOp& other : ops) {
          if (&other == &write || &other == &read || !other.may_change_state()) continue;
          if (other.invoke_ns < read.complete_ns && other.complete_ns > write.invoke_ns) {
            explained = true;
            break;
          }
        }
        if (!explained) {
          lost.push_back(LostWrite{key, write.op, read.op, read.observed});
          break;
        }
      }
    }
  }
  return lost;
}

}  // namespace ts::chaos
