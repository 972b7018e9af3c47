#include "launcher/chaos/op_planner.h"

#include <algorithm>

#include "common/tuple.h"

namespace ts::chaos {
namespace {

constexpr int kPutPercent = 30;
constexpr int kPostPercent = 25;
constexpr int kGetPercent = 30;  // the rest: DELETE
constexpr int kRegexGetPercent = 20;
constexpr int kRegexDeletePercent = 30;

bool RefusedBeforeApplying(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kMalformedRequest:
    case ErrorKind::kMalformedPattern:
    case ErrorKind::kPatternTooCostly:
    case ErrorKind::kNotImplemented:
    case ErrorKind::kTooLarge:
    case ErrorKind::kServiceRefused:
    case ErrorKind::kHistoryGone: return true;  // a WATCH refusal; the history clients send none
    case ErrorKind::kUnavailable:
    case ErrorKind::kNotEnoughReplicas:
    case ErrorKind::kInternal: return false;
  }
  return false;
}

}  // namespace

std::string KeyName(int index) { return "k" + std::to_string(index); }

std::string KeysRegex(const std::vector<int>& indexes) {
  const bool single_digits = std::all_of(indexes.begin(), indexes.end(), [](int i) { return i >= 0 && i < 10; });
  std::string regex;
  if (single_digits) {
    regex = "k[";
    for (int i : indexes) regex += std::to_string(i);
    return regex + "]";
  }
  regex = "(";
  for (size_t i = 0; i < indexes.size(); ++i) regex += (i ? "|" : "") + KeyName(indexes[i]);
  return regex + ")";
}

OpPlanner::OpPlanner(uint64_t seed, int client, int key_count)
    : random_(seed * 1'000'003ull + static_cast<uint64_t>(client)), client_(client), key_count_(key_count) {}

HistoryEvent OpPlanner::Next() {
  auto percent = [&] { return static_cast<int>(random_() % 100); };
  auto key = [&] { return static_cast<int>(random_() % static_cast<uint64_t>(key_count_)); };
  HistoryEvent event;
  event.type = EventType::kInvoke;
  const int roll = percent();
  if (roll < kPutPercent + kPostPercent) {
    event.f = roll < kPutPercent ? Fn::kPut : Fn::kPost;
    event.key = KeyName(key());
    event.value = "v" + std::to_string(client_) + "n" + std::to_string(++writes_);
    return event;
  }
  event.f = roll < kPutPercent + kPostPercent + kGetPercent ? Fn::kGet : Fn::kDelete;
  const int regex_percent = event.f == Fn::kGet ? kRegexGetPercent : kRegexDeletePercent;
  if (key_count_ >= 2 && percent() < regex_percent) {
    int first = key();
    int second = key();
    while (second == first) second = key();
    std::vector<int> pair = {std::min(first, second), std::max(first, second)};
    event.pattern = KeysRegex(pair);
    for (int i : pair) event.keys.push_back(KeyName(i));
  } else {
    event.key = KeyName(key());
  }
  return event;
}

Request RequestFor(const HistoryEvent& invoke) {
  const std::string& key_pattern = invoke.key.empty() ? invoke.pattern : invoke.key;
  switch (invoke.f) {
    case Fn::kPut: return MakePut({Pair{SplitTupleText(invoke.key), SplitTupleText(invoke.value)}});
    case Fn::kPost: return MakePost({Pair{SplitTupleText(invoke.key), SplitTupleText(invoke.value)}});
    case Fn::kGet: return MakeGet(key_pattern, ".*");
    case Fn::kDelete: return MakeDelete(key_pattern, ".*");
  }
  return MakeGet(key_pattern, ".*");
}

HistoryEvent CompletionFor(const HistoryEvent& invoke, const Result<Reply>& reply) {
  HistoryEvent done;
  done.process = invoke.process;
  done.f = invoke.f;
  done.key = invoke.key;
  done.pattern = invoke.pattern;
  done.keys = invoke.keys;
  done.value = invoke.value;
  if (!reply.ok()) {
    done.type = EventType::kUnknown;
    done.error = reply.error().message;
    return done;
  }
  const Reply& answer = reply.value();
  if (answer.error) {
    done.type = RefusedBeforeApplying(answer.error->kind) ? EventType::kFail : EventType::kUnknown;
    done.error = std::string(ErrorKindName(answer.error->kind)) + ": " + answer.error->message;
    return done;
  }
  done.type = EventType::kOk;
  done.node = answer.served_by;
  done.term = answer.term;
  if (invoke.f == Fn::kPut || invoke.f == Fn::kPost) {
    const RejectReason expected = invoke.f == Fn::kPut ? RejectReason::kKeyPresent : RejectReason::kKeyAbsent;
    done.outcome = invoke.f == Fn::kPut ? "inserted" : "updated";
    for (const Rejection& rejection : answer.rejected) {
      if (rejection.reason == expected) {
        done.outcome = invoke.f == Fn::kPut ? "key_present" : "key_absent";
      } else {
        // Refused as a whole for another reason (malformed, too large): nothing applied.
        done.type = EventType::kFail;
        done.error = "rejected: " + std::string(RejectReasonName(rejection.reason));
        done.outcome.clear();
        done.node = 0;
        done.term = 0;
      }
    }
    return done;
  }
  for (const Pair& pair : answer.pairs) done.result.emplace_back(TupleText(pair.key), TupleText(pair.value));
  return done;
}

}  // namespace ts::chaos
