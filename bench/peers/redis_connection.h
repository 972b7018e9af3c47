// redis_wait_bench's connection to one Redis (hiredis, blocking, with a
// connect timeout and a reply timeout on the socket): runs the rounds that
// bench/peers/redis_rounds.h plans, and judges their replies there.
//
// A round writes its commands in one go (hiredis buffers them and flushes on
// the first read) and then reads every reply; a reply that does not come
// within the reply timeout, or a broken connection, ends the round (its
// unanswered requests are errors: "timeout", "io", "eof", "protocol") and the
// next round connects again, after a short pause when connecting failed.
#pragma once

#include <chrono>
#include <string>

#include "bench/peers/peer_keys.h"
#include "bench/peers/peer_load.h"
#include "bench/peers/redis_rounds.h"

struct redisContext;

namespace ts::bench::peers {

struct RedisTarget {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::chrono::milliseconds connect_timeout{1'000};
  std::chrono::milliseconds reply_timeout{5'000};
  std::chrono::milliseconds reconnect_pause{100};  // after a failed connect, before the next round
};

enum class RedisWorkload { kWrite, kRead };

class RedisConnection : public PeerConnection {
 public:
  RedisConnection(RedisTarget target, RedisWorkload workload, WriteRoundSpec spec, PeerKeyMaker keys);
  ~RedisConnection() override;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  void RunRound(size_t count, const std::function<void(const OpOutcome&)>& done) override;

 private:
  // "" once connected, else the error kind.
  std::string Connect();
  void Disconnect();

  RedisTarget target_;
  RedisWorkload workload_;
  WriteRoundSpec spec_;
  PeerKeyMaker keys_;
  redisContext* context_ = nullptr;
};

struct RedisPreloadResult {
  uint64_t written = 0;
  double seconds = 0;
  std::string error;  // the first failure; empty when every SET (and the final WAIT) succeeded
};

// SETs KeySpaceKey(0 .. key_space-1) with random values, `batch` per round,
// then (replicas > 0) one WAIT, so that reads find their keys.
RedisPreloadResult PreloadRedis(const RedisTarget& target, uint64_t key_space, size_t value_size, size_t batch,
                                int replicas);

}  // namespace ts::bench::peers
