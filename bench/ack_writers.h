// A steady write load for the failover benchmark: W threads, each with a
// PipelinedClient keeping D one-pair PUTs of new keys in flight, that note
// when each write is acknowledged and by which primary (Reply::served_by,
// term).
//
// Contract: Arm(killed, term) starts a watch; the first acknowledged write
// (a reply without error) served by another node in a higher term completes
// it, and FirstAckAfterArm returns its arrival time. Counters are readable
// at any time. Writers use the client library's timeouts and retries (a
// request held by the broker across a failover is answered by the new
// primary, exactly once). Stop() ends the threads (bounded: they stop
// sending, and wait at most a drain timeout for replies).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ts::bench {

struct AckWriterOptions {
  std::string broker;
  int writers = 4;
  int depth = 8;
  size_t value_size = 16;
  std::chrono::milliseconds request_timeout{2'000};
  int retries = 10;
};

class AckWriters {
 public:
  using Clock = std::chrono::steady_clock;

  explicit AckWriters(AckWriterOptions options);
  ~AckWriters();  // Stop()s

  void Start();
  void Stop();

  // Watches for the first write acknowledged by a node other than `killed`
  // in a term above `term`.
  void Arm(uint32_t killed, uint64_t term);
  std::optional<Clock::time_point> FirstAckAfterArm() const;

  uint64_t acks() const { return acks_.load(); }
  uint64_t errors() const { return errors_.load(); }
  std::map<std::string, uint64_t> errors_by_kind() const;
  std::map<std::string, std::string> first_error_messages() const;  // by kind

 private:
  void Run(int index);
  void NoteAck(uint32_t served_by, uint64_t term, Clock::time_point at);
  void NoteError(const std::string& kind, const std::string& message);

  AckWriterOptions options_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> acks_{0};
  std::atomic<uint64_t> errors_{0};
  mutable std::mutex mutex_;  // guards the watch and errors_by_kind_
  bool armed_ = false;
  uint32_t killed_ = 0;
  uint64_t killed_term_ = 0;
  std::optional<Clock::time_point> first_ack_;
  std::map<std::string, uint64_t> errors_by_kind_;
  std::map<std::string, std::string> first_error_messages_;
};

}  // namespace ts::bench
