// SyncThread: the fdatasync of a node's log, off the poll loop. The loop
// appends a cycle's records, hands the segment's sync to this thread
// (Start) and goes on reading requests and acks; when the sync returned the
// thread makes wake_fd() readable, and the loop takes the result (TakeDone)
// and only then tells the core what is durable. So an ack or a reply never
// leaves before the fsync that covers it returned, and the next cycle's
// records are gathered during this one's sync: group commit over the
// duration of an fdatasync.
//
// The queue is bounded at one job: a sync in flight covers everything
// appended before it began, so the next one (started once it is done)
// covers all that came since. The thread is an event loop (wait for a job or
// the stop, run it, signal) that ends when asked: the destructor stops it
// and joins, after the job in flight returned.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "common/status.h"
#include "nodes/log/log_writer.h"

namespace ts::cluster {

class SyncThread {
 public:
  struct Done {
    wal::LogWriter::SyncJob job;
    Status result;
  };

  // An eventfd that cannot be made: the error says why.
  static Result<std::unique_ptr<SyncThread>> Start();
  ~SyncThread();
  SyncThread(const SyncThread&) = delete;
  SyncThread& operator=(const SyncThread&) = delete;

  // Readable once a job is done; TakeDone clears it.
  int wake_fd() const { return wake_fd_; }
  // A job is in flight or done and not yet taken: Run must wait.
  bool busy() const;
  // Runs the job's file->Sync() on the thread; only when !busy().
  void Run(const wal::LogWriter::SyncJob& job);
  // The finished job, if any (clears busy()).
  std::optional<Done> TakeDone();
  // Blocks until no sync is running (its result stays for TakeDone).
  void WaitIdle();

 private:
  explicit SyncThread(int wake_fd);
  void Loop();

  const int wake_fd_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<wal::LogWriter::SyncJob> queued_;  // at most one: the bound
  bool running_ = false;
  std::optional<Done> done_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the rest is set up
};

}  // namespace ts::cluster
