#include "bench/peers/redis_rounds.h"

#include <algorithm>

namespace ts::bench::peers {
namespace {

using Type = RedisReplyView::Type;

std::vector<std::string> WaitCommand(const WriteRoundSpec& spec) {
  return {"WAIT", std::to_string(spec.replicas), std::to_string(spec.wait_timeout_ms)};
}

// "" when the reply answers its command as expected, else the error kind.
std::string Verdict(const std::string& command, const RedisReplyView& reply, const WriteRoundSpec& spec) {
  if (reply.type == Type::kError) return command == "WAIT" ? "wait_error" : "redis_error";
  if (command == "SET") return reply.type == Type::kStatus && reply.text == "OK" ? "" : "unexpected_reply";
  if (command == "WAIT") {
    if (reply.type != Type::kInteger) return "unexpected_reply";
    return reply.integer >= spec.replicas ? "" : "wait_short";
  }
  // GET: a string, or nil for a key that is not there.
  return reply.type == Type::kString || reply.type == Type::kNil ? "" : "unexpected_reply";
}

}  // namespace

std::string_view WaitModeName(WaitMode mode) { return mode == WaitMode::kPerBatch ? "batch" : "set"; }

std::optional<WaitMode> ParseWaitMode(std::string_view text) {
  if (text == "batch") return WaitMode::kPerBatch;
  if (text == "set") return WaitMode::kPerSet;
  return std::nullopt;
}

RedisRound PlanWriteRound(const std::vector<std::pair<std::string, std::string>>& pairs, const WriteRoundSpec& spec) {
  RedisRound round;
  const bool wait = spec.replicas > 0;
  for (const auto& [key, value] : pairs) {
    const size_t set = round.commands.size();
    round.commands.push_back({"SET", key, value});
    if (wait && spec.mode == WaitMode::kPerSet) {
      round.commands.push_back(WaitCommand(spec));
      round.ops.push_back({set, set + 1});
    } else {
      round.ops.push_back({set, set});
    }
  }
  if (wait && spec.mode == WaitMode::kPerBatch && !pairs.empty()) {
    const size_t wait_index = round.commands.size();
    round.commands.push_back(WaitCommand(spec));
    for (RedisRound::Op& op : round.ops) op.ack = wait_index;
  }
  return round;
}

RedisRound PlanReadRound(const std::vector<std::string>& keys) {
  RedisRound round;
  for (const std::string& key : keys) {
    round.ops.push_back({round.commands.size(), round.commands.size()});
    round.commands.push_back({"GET", key});
  }
  return round;
}

std::vector<OpOutcome> JudgeRound(const RedisRound& round, const WriteRoundSpec& spec,
                                  const std::vector<RedisReplyView>& replies, Clock::time_point sent_at,
                                  const std::string& failure_kind, Clock::time_point failed_at) {
  std::vector<OpOutcome> outcomes;
  outcomes.reserve(round.ops.size());
  for (const RedisRound::Op& op : round.ops) {
    OpOutcome outcome;
    outcome.sent_at = sent_at;
    const size_t last = std::max(op.command, op.ack);
    std::string error;
    for (size_t index : {op.command, op.ack}) {
      if (!error.empty()) break;
      if (index >= replies.size()) {
        error = failure_kind.empty() ? "no_reply" : failure_kind;
        outcome.completed_at = failed_at;
        break;
      }
      error = Verdict(round.commands[index][0], replies[index], spec);
      outcome.completed_at = replies[index].at;
    }
    if (error.empty()) {
      outcome.completed_at = replies[last].at;
      outcome.kind = replies[op.command].type == Type::kNil ? OpOutcome::Kind::kMissing : OpOutcome::Kind::kOk;
    } else {
      outcome.kind = OpOutcome::Kind::kError;
      outcome.error_kind = error;
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace ts::bench::peers
