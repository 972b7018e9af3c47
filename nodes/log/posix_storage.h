// PosixStorage: nodes/log/storage.h on real files.
//
// Every descriptor is opened O_CLOEXEC (a node's children never inherit its
// log). WritableFile::Sync is fdatasync(2), SyncDir is fsync(2) on the
// directory, Truncate is ftruncate + fsync; appends loop over short writes
// and EINTR. Errors read "fdatasync /data/n1/log-00000003-2.41: Input/output
// error (errno 5)". A failed fsync is not retried: after one, the kernel may
// have dropped the dirty pages, so the caller must treat the file as lost
// (the log writer stops; see log_writer.h).
#pragma once

#include "nodes/log/storage.h"

namespace ts::wal {

class PosixStorage final : public Storage {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Result<std::string> ReadRange(const std::string& path, uint64_t offset, uint64_t length) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  Result<std::vector<std::string>> List(const std::string& dir) override;
  bool Exists(const std::string& path) override;
  Status CreateDir(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status Truncate(const std::string& path, uint64_t size) override;
};

}  // namespace ts::wal
