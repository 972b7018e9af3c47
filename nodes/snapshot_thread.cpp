#include "nodes/snapshot_thread.h"

#include <utility>

namespace ts::cluster {

SnapshotThread::SnapshotThread() : thread_([this] { Loop(); }) {}

SnapshotThread::~SnapshotThread() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

bool SnapshotThread::busy() const {
  std::lock_guard lock(mutex_);
  return queued_ || running_ || done_;
}

void SnapshotThread::Run(Job job) {
  {
    std::lock_guard lock(mutex_);
    queued_ = std::move(job);
  }
  changed_.notify_all();
}

std::optional<Result<std::string>> SnapshotThread::TakeDone() {
  std::lock_guard lock(mutex_);
  std::optional<Result<std::string>> done = std::move(done_);
  done_.reset();
  return done;
}

void SnapshotThread::WaitIdle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !queued_ && !running_; });
}

void SnapshotThread::Loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stop_ || queued_; });
    if (!queued_) return;  // asked to stop, nothing left to write
    Job job = std::move(*queued_);
    queued_.reset();
    running_ = true;
    lock.unlock();
    Result<std::string> result = job();
    job = nullptr;  // the frozen state goes here, off the loop too
    lock.lock();
    running_ = false;
    done_.emplace(std::move(result));
    changed_.notify_all();
  }
}

}  // namespace ts::cluster
