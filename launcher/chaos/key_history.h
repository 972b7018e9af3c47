// A history cut per key (P-compositionality: a history is linearizable when
// each key's sub-history is, since keys are independent registers).
//
// Each key's operations, as the register model sees them: exact-key
// operations as they are, and every regex GET/DELETE projected onto each key
// it covers (a read, or a read-and-remove, observing that key's pair or its
// absence). The projection checks each key's observation against the states
// that key could be in; it does not check that a regex read saw all its keys
// at one instant. Failed operations are left out (nothing happened); unknown
// reads too (they constrain nothing); unknown writes and deletes stay, never
// completed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "launcher/chaos/history.h"

namespace ts::chaos {

struct KeyOp {
  enum class Kind { kPut, kPost, kRead, kDelete };
  // What the reply said a write did: applied (inserted/updated), rejected
  // (key_present/key_absent), or not known (no reply).
  enum class Effect { kApplied, kRejected, kUnknown };

  size_t op = 0;  // index into History::ops
  Kind kind = Kind::kRead;
  Effect effect = Effect::kUnknown;  // writes
  std::string value;                 // put/post: the value written
  bool observed_known = false;       // read/delete: the reply is known ...
  std::optional<std::string> observed;  // ... and showed this value (nullopt: no pair)
  int64_t invoke_ns = 0;
  int64_t complete_ns = kNeverCompleted;

  // May change the key's state: an applied or unknown write, a delete that
  // removed a pair or whose reply is unknown.
  bool may_change_state() const;
};

using KeyHistories = std::map<std::string, std::vector<KeyOp>>;

// Every key's operations, each list in invoke order.
KeyHistories SplitByKey(const History& history);

}  // namespace ts::chaos
