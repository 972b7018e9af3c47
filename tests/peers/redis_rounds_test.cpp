// redis_wait_bench's rounds (bench/peers/redis_rounds.h): which commands a
// round sends for each way of composing WAIT with pipelining, and how replies
// become op outcomes.
#include <catch2/catch.hpp>

#include "bench/peers/redis_rounds.h"

using namespace ts::bench::peers;
using namespace std::chrono_literals;
using Type = RedisReplyView::Type;

namespace {

const std::vector<std::pair<std::string, std::string>> kPairs = {{"a", "1"}, {"b", "2"}, {"c", "3"}};

RedisReplyView Reply(Type type, Clock::time_point at, std::string text = "", int64_t integer = 0) {
  RedisReplyView view;
  view.type = type;
  view.text = std::move(text);
  view.integer = integer;
  view.at = at;
  return view;
}

std::vector<std::string> Names(const RedisRound& round) {
  std::vector<std::string> names;
  for (const auto& command : round.commands) names.push_back(command[0]);
  return names;
}

}  // namespace

TEST_CASE("A batch round sends its SETs then one WAIT that acknowledges them all", "[peers][redis]") {
  WriteRoundSpec spec;
  spec.replicas = 1;
  spec.mode = WaitMode::kPerBatch;
  const RedisRound round = PlanWriteRound(kPairs, spec);
  CHECK(Names(round) == std::vector<std::string>{"SET", "SET", "SET", "WAIT"});
  CHECK(round.commands[0] == std::vector<std::string>{"SET", "a", "1"});
  CHECK(round.commands[3] == std::vector<std::string>{"WAIT", "1", "0"});
  REQUIRE(round.ops.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(round.ops[i].command == i);
    CHECK(round.ops[i].ack == 3);
  }
}

TEST_CASE("A per-set round sends a WAIT after each SET", "[peers][redis]") {
  WriteRoundSpec spec;
  spec.replicas = 2;
  spec.wait_timeout_ms = 50;
  spec.mode = WaitMode::kPerSet;
  const RedisRound round = PlanWriteRound(kPairs, spec);
  CHECK(Names(round) == std::vector<std::string>{"SET", "WAIT", "SET", "WAIT", "SET", "WAIT"});
  CHECK(round.commands[1] == std::vector<std::string>{"WAIT", "2", "50"});
  REQUIRE(round.ops.size() == 3);
  CHECK(round.ops[1].command == 2);
  CHECK(round.ops[1].ack == 3);
}

TEST_CASE("No replicas: no WAIT, each SET is acknowledged by its own reply", "[peers][redis]") {
  WriteRoundSpec spec;
  spec.replicas = 0;
  const RedisRound round = PlanWriteRound(kPairs, spec);
  CHECK(Names(round) == std::vector<std::string>{"SET", "SET", "SET"});
  CHECK(round.ops[2].ack == 2);
  CHECK(PlanReadRound({"k1", "k2"}).commands == std::vector<std::vector<std::string>>{{"GET", "k1"}, {"GET", "k2"}});
}

TEST_CASE("Batch writes are acknowledged at the WAIT reply, when enough replicas have them", "[peers][redis]") {
  WriteRoundSpec spec;
  const RedisRound round = PlanWriteRound(kPairs, spec);
  const Clock::time_point sent = Clock::now();
  std::vector<RedisReplyView> replies = {Reply(Type::kStatus, sent + 1ms, "OK"), Reply(Type::kStatus, sent + 2ms, "OK"),
                                         Reply(Type::kStatus, sent + 3ms, "OK"),
                                         Reply(Type::kInteger, sent + 9ms, "", 1)};
  std::vector<OpOutcome> outcomes = JudgeRound(round, spec, replies, sent, "", sent + 10ms);
  REQUIRE(outcomes.size() == 3);
  for (const OpOutcome& outcome : outcomes) {
    CHECK(outcome.kind == OpOutcome::Kind::kOk);
    CHECK(outcome.sent_at == sent);
    CHECK(outcome.completed_at == sent + 9ms);  // the WAIT reply, not the SET's
  }

  replies[3].integer = 0;  // WAIT returned before any replica had them
  for (const OpOutcome& outcome : JudgeRound(round, spec, replies, sent, "", sent + 10ms)) {
    CHECK(outcome.kind == OpOutcome::Kind::kError);
    CHECK(outcome.error_kind == "wait_short");
  }

  replies[3].integer = 1;
  replies[1] = Reply(Type::kError, sent + 2ms, "OOM command not allowed");
  outcomes = JudgeRound(round, spec, replies, sent, "", sent + 10ms);
  CHECK(outcomes[0].kind == OpOutcome::Kind::kOk);
  CHECK(outcomes[1].kind == OpOutcome::Kind::kError);
  CHECK(outcomes[1].error_kind == "redis_error");
  CHECK(outcomes[1].completed_at == sent + 2ms);
  CHECK(outcomes[2].kind == OpOutcome::Kind::kOk);
}

TEST_CASE("A round that broke counts its unanswered requests as errors of the break's kind", "[peers][redis]") {
  WriteRoundSpec spec;
  spec.mode = WaitMode::kPerSet;
  const RedisRound round = PlanWriteRound(kPairs, spec);
  const Clock::time_point sent = Clock::now();
  // SET a, WAIT, SET b came; WAIT (for b) timed out.
  const std::vector<RedisReplyView> replies = {Reply(Type::kStatus, sent + 1ms, "OK"), Reply(Type::kInteger, sent + 2ms, "", 1),
                                               Reply(Type::kStatus, sent + 3ms, "OK")};
  const std::vector<OpOutcome> outcomes = JudgeRound(round, spec, replies, sent, "timeout", sent + 500ms);
  REQUIRE(outcomes.size() == 3);
  CHECK(outcomes[0].kind == OpOutcome::Kind::kOk);
  CHECK(outcomes[0].completed_at == sent + 2ms);
  for (size_t i : {1, 2}) {
    CHECK(outcomes[i].kind == OpOutcome::Kind::kError);
    CHECK(outcomes[i].error_kind == "timeout");
    CHECK(outcomes[i].completed_at == sent + 500ms);
  }
  // Nothing came at all (the connect failed).
  for (const OpOutcome& outcome : JudgeRound(round, spec, {}, sent, "connect_failed", sent + 1ms)) {
    CHECK(outcome.error_kind == "connect_failed");
  }
}

TEST_CASE("GET replies: a string is an op, nil an op that found nothing, an error an error", "[peers][redis]") {
  const RedisRound round = PlanReadRound({"k1", "k2", "k3", "k4"});
  const Clock::time_point sent = Clock::now();
  const std::vector<RedisReplyView> replies = {Reply(Type::kString, sent + 1ms, "v"), Reply(Type::kNil, sent + 2ms),
                                               Reply(Type::kError, sent + 3ms, "WRONGTYPE"),
                                               Reply(Type::kInteger, sent + 4ms, "", 7)};
  const std::vector<OpOutcome> outcomes = JudgeRound(round, WriteRoundSpec{}, replies, sent, "", sent + 5ms);
  CHECK(outcomes[0].kind == OpOutcome::Kind::kOk);
  CHECK(outcomes[0].completed_at == sent + 1ms);
  CHECK(outcomes[1].kind == OpOutcome::Kind::kMissing);
  CHECK(outcomes[2].error_kind == "redis_error");
  CHECK(outcomes[3].error_kind == "unexpected_reply");
}

TEST_CASE("WaitMode names round-trip and others are refused", "[peers][redis]") {
  CHECK(ParseWaitMode("batch") == WaitMode::kPerBatch);
  CHECK(ParseWaitMode("set") == WaitMode::kPerSet);
  CHECK_FALSE(ParseWaitMode("each").has_value());
  CHECK(WaitModeName(WaitMode::kPerSet) == "set");
}
