// Writers for failover tests, and the check that follows them.
//
// Each Writer is a thread with its own Client that writes keys no other writer
// touches ("w<index>,<n>"): mostly PUTs of fresh keys, and every fourth call a
// POST updating one of its acknowledged keys. For every key it records the
// last acknowledged value and the values written since without a verdict (no
// reply, an error reply), so that afterwards CheckWrites can say exactly which
// acknowledged write is missing or wrong. An acknowledgement is an ok reply
// that rejects none of the pairs. Writers never assert (Catch2 is not
// thread-safe); the test asserts on their reports after Stop().
//
// AckMonitor is shared by the writers: it keeps the latest acknowledgement
// (which node served it, in which term) and, once armed with a term, the time
// of the first acknowledgement in a newer term: the end of a failover.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "clients/client.h"

namespace ts::itest {

using SteadyTime = std::chrono::steady_clock::time_point;

struct AckEvent {
  uint32_t served_by = 0;
  uint64_t term = 0;
  SteadyTime at;
};

class AckMonitor {
 public:
  void Record(uint32_t served_by, uint64_t term);
  // From now on, remember the first acknowledgement with a term above `term`.
  void Arm(uint64_t term);
  std::optional<AckEvent> FirstAckAfterArm() const;
  std::optional<AckEvent> Latest() const;
  uint64_t count() const;

 private:
  mutable std::mutex mutex_;
  std::optional<AckEvent> latest_;
  std::optional<uint64_t> armed_term_;
  std::optional<AckEvent> first_after_arm_;
  uint64_t count_ = 0;
};

struct KeyState {
  std::optional<std::string> acknowledged;  // value text of the last acknowledged write
  std::set<std::string> unconfirmed;        // value texts written after it, without a verdict
};

struct WriterReport {
  int index = 0;
  std::map<std::string, KeyState> keys;  // key text -> what was written
  uint64_t calls = 0;
  uint64_t acknowledged_calls = 0;
  uint64_t unconfirmed_calls = 0;
  std::map<std::string, uint64_t> failures;  // "reply: unavailable" / "client: ..." -> count
  std::vector<std::string> anomalies;        // rejections no correct service would give
};

class Writer {
 public:
  // `options`: the client's timeouts (none: PatientClientOptions()).
  Writer(int index, std::string endpoint, AckMonitor& monitor, size_t pairs_per_put = 1,
         std::optional<ClientOptions> options = std::nullopt);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void Start();
  void Stop();  // finishes the call under way (bounded by the client's timeouts), joins
  uint64_t acknowledged_calls() const { return acknowledged_calls_.load(); }
  const WriterReport& report() const { return report_; }  // only after Stop()

  static std::string KeyPattern(int index);  // matches exactly this writer's key texts

 private:
  void Run();

  std::string endpoint_;
  AckMonitor& monitor_;
  size_t pairs_per_put_;
  std::optional<ClientOptions> options_;
  WriterReport report_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> acknowledged_calls_{0};
  std::thread thread_;
};

// Problems (one sentence each) between what a writer recorded and `actual`,
// the pairs the service holds under Writer::KeyPattern(report.index).
std::vector<std::string> CheckWrites(const WriterReport& report,
                                     const std::map<std::string, std::string>& actual);

// "a b c" of at most `limit` items, then "... (N more)".
std::string JoinSome(const std::vector<std::string>& items, size_t limit);

}  // namespace ts::itest
