#include "nodes/sync_thread.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ts::cluster {

Result<std::unique_ptr<SyncThread>> SyncThread::Start() {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) {
    return Error{ErrorKind::kInternal, std::string("cannot make the log's sync thread an eventfd: ") +
                                           std::strerror(errno)};
  }
  return std::unique_ptr<SyncThread>(new SyncThread(fd));
}

SyncThread::SyncThread(int wake_fd) : wake_fd_(wake_fd), thread_([this] { Loop(); }) {}

SyncThread::~SyncThread() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
  ::close(wake_fd_);
}

bool SyncThread::busy() const {
  std::lock_guard lock(mutex_);
  return queued_ || running_ || done_;
}

void SyncThread::Run(const wal::LogWriter::SyncJob& job) {
  {
    std::lock_guard lock(mutex_);
    queued_ = job;
  }
  changed_.notify_all();
}

std::optional<SyncThread::Done> SyncThread::TakeDone() {
  uint64_t count = 0;
  (void)!::read(wake_fd_, &count, sizeof count);  // nonblocking: clears it, or nothing to clear
  std::lock_guard lock(mutex_);
  std::optional<Done> done = std::move(done_);
  done_.reset();
  return done;
}

void SyncThread::WaitIdle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !queued_ && !running_; });
}

void SyncThread::Loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stop_ || queued_; });
    if (!queued_) return;  // asked to stop, nothing left to sync
    const wal::LogWriter::SyncJob job = *queued_;
    queued_.reset();
    running_ = true;
    lock.unlock();
    Status result = job.file->Sync();
    lock.lock();
    running_ = false;
    done_ = Done{job, std::move(result)};
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    changed_.notify_all();
  }
}

}  // namespace ts::cluster
