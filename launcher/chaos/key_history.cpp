#include "launcher/chaos/key_history.h"

#include <algorithm>

namespace ts::chaos {
namespace {

std::optional<std::string> ValueOf(const std::vector<KeyValue>& pairs, const std::string& key) {
  for (const auto& [k, v] : pairs)
    if (k == key) return v;
  return std::nullopt;
}

KeyOp Base(const Operation& op, size_t index) {
  KeyOp key_op;
  key_op.op = index;
  key_op.invoke_ns = op.invoke_ns;
  key_op.complete_ns = op.outcome == Outcome::kOk ? op.complete_ns : kNeverCompleted;
  return key_op;
}

}  // namespace

bool KeyOp::may_change_state() const {
  switch (kind) {
    case Kind::kPut:
    case Kind::kPost: return effect != Effect::kRejected;
    case Kind::kDelete: return !observed_known || observed.has_value();
    case Kind::kRead: return false;
  }
  return false;
}

KeyHistories SplitByKey(const History& history) {
  KeyHistories keys;
  for (size_t i = 0; i < history.ops.size(); ++i) {
    const Operation& op = history.ops[i];
    if (op.outcome == Outcome::kFail) continue;
    const bool known = op.outcome == Outcome::kOk;
    if (op.is_write()) {
      KeyOp key_op = Base(op, i);
      key_op.kind = op.f == Fn::kPut ? KeyOp::Kind::kPut : KeyOp::Kind::kPost;
      key_op.value = op.value;
      if (!known) {
        key_op.effect = KeyOp::Effect::kUnknown;
      } else {
        key_op.effect = (op.result_word == "inserted" || op.result_word == "updated") ? KeyOp::Effect::kApplied
                                                                                       : KeyOp::Effect::kRejected;
      }
      keys[op.key].push_back(std::move(key_op));
      continue;
    }
    if (!known && op.f == Fn::kGet) continue;  // an unknown read constrains nothing
    const std::vector<std::string> covered = op.is_regex() ? op.keys : std::vector<std::string>{op.key};
    for (const std::string& key : covered) {
      KeyOp key_op = Base(op, i);
      key_op.kind = op.f == Fn::kGet ? KeyOp::Kind::kRead : KeyOp::Kind::kDelete;
      key_op.observed_known = known;
      if (known) key_op.observed = ValueOf(op.result, key);
      keys[key].push_back(std::move(key_op));
    }
  }
  for (auto& [key, ops] : keys)
    std::stable_sort(ops.begin(), ops.end(), [](const KeyOp& a, const KeyOp& b) { return a.invoke_ns < b.invoke_ns; });
  return keys;
}

}  // namespace ts::chaos
