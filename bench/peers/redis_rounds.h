// What redis_wait_bench sends in one round on one connection, and how the
// replies become op outcomes: the pure part of the driver (no sockets).
//
// Writes with replicas > 0 are Redis used safely: a SET is acknowledged only
// by a `WAIT replicas timeout` reply that counts at least `replicas` replicas
// (WAIT returns once the replicas have acknowledged every write this
// connection made before it). Two ways to compose that with pipelining:
//  - kPerBatch (the default): the round's D SETs, then one WAIT; every SET of
//    the round is acknowledged at the WAIT reply. This is what a pipelining
//    client does, and what redis-benchmark -P does without the WAIT.
//  - kPerSet: D pairs of SET + WAIT. Redis blocks a connection inside WAIT,
//    so the pairs are served one after the other: one replication round trip
//    per write, whatever the depth.
// replicas == 0 sends no WAIT (Redis's plain asynchronous replication).
// Reads are D GETs; a nil reply is an op that found nothing (missing).
// A SET answered by anything but +OK, a WAIT answered by anything but an
// integer >= replicas, and a GET answered by an error are errors; requests
// whose replies never came (the connection broke: `failure_kind`) are errors
// of that kind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/peers/peer_load.h"

namespace ts::bench::peers {

enum class WaitMode { kPerBatch, kPerSet };
std::string_view WaitModeName(WaitMode mode);  // "batch", "set"
std::optional<WaitMode> ParseWaitMode(std::string_view text);  // nullopt for another word

struct RedisRound {
  struct Op {
    size_t command;  // the command whose reply answers the request
    size_t ack;      // the command whose reply acknowledges it (a WAIT, or the command itself)
  };
  std::vector<std::vector<std::string>> commands;  // argv of each command, in sending order
  std::vector<Op> ops;
};

struct WriteRoundSpec {
  int replicas = 1;       // WAIT's numreplicas; 0: no WAIT
  int64_t wait_timeout_ms = 0;  // WAIT's timeout; 0 waits for ever (the socket's reply timeout bounds it)
  WaitMode mode = WaitMode::kPerBatch;
};

RedisRound PlanWriteRound(const std::vector<std::pair<std::string, std::string>>& pairs, const WriteRoundSpec& spec);
RedisRound PlanReadRound(const std::vector<std::string>& keys);

// A reply as the judge needs it (the shell converts hiredis's redisReply).
struct RedisReplyView {
  enum class Type { kStatus, kError, kInteger, kString, kNil, kOther };
  Type type = Type::kOther;
  int64_t integer = 0;
  std::string text;  // status, error or string contents
  Clock::time_point at;  // when the driver read it
};

// One outcome per op of `round`. `replies` are the first replies.size()
// replies in order; when the round broke before all came, `failure_kind` and
// `failed_at` describe the break.
std::vector<OpOutcome> JudgeRound(const RedisRound& round, const WriteRoundSpec& spec,
                                  const std::vector<RedisReplyView>& replies, Clock::time_point sent_at,
                                  const std::string& failure_kind, Clock::time_point failed_at);

}  // namespace ts::bench::peers
