// SnapshotThread: a log snapshot's file written off the poll loop. The loop
// freezes the state at the log's tail (a count per leaf of pairs, pair_store.h
// Freeze) and hands this thread the job that encodes it, writes it, fsyncs
// and renames it (snapshot.h); the loop takes the result on a later turn
// (TakeDone) and only then removes the log before it, so a snapshot
// replaces segments only once it is durable, as before. Meanwhile the loop
// goes on heartbeating: at a million pairs the job takes ~0.4 s, past the
// 300 ms liveness window.
//
// One job at a time (busy() until its result is taken). The thread is an
// event loop (wait for a job or the stop, run it, keep its result) that ends
// when asked: the destructor stops it and joins, after the job in flight.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"

namespace ts::cluster {

class SnapshotThread {
 public:
  // Writes one snapshot file; its result is the file's final path.
  using Job = std::function<Result<std::string>()>;

  SnapshotThread();
  ~SnapshotThread();
  SnapshotThread(const SnapshotThread&) = delete;
  SnapshotThread& operator=(const SnapshotThread&) = delete;

  // A job is queued, running, or done and not yet taken: Run must wait.
  bool busy() const;
  // Only when !busy().
  void Run(Job job);
  // The finished job's result, if one finished.
  std::optional<Result<std::string>> TakeDone();
  // Blocks until no job is queued or running (its result stays for TakeDone).
  void WaitIdle();

 private:
  void Loop();

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<Job> queued_;
  bool running_ = false;
  std::optional<Result<std::string>> done_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the rest is set up
};

}  // namespace ts::cluster
