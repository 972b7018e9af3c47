// MemoryStorage: nodes/log/storage.h in memory, with a disk that can crash
// the way a real one does (for tests and the deterministic simulation).
//
// What is modelled:
//  - File data: each file remembers how much of it is synced. Crash(seed)
//    keeps the synced prefix of every file and, of the bytes appended since
//    its last Sync, a random prefix (possibly none, possibly all); with
//    probability 1/4 a random tail of that kept unsynced part reads back as
//    zeros (a file whose size reached the disk before its data did).
//  - Names: creating a file, renaming onto a name and removing a name are
//    queued per directory until SyncDir. At a crash a random prefix of each
//    directory's queue survives, in order, and the rest is undone: a created
//    file that was never dir-synced may vanish (data synced or not), a
//    removed file may come back, a rename may not have happened. Creating a
//    file over an existing name makes a new file under that name (the old
//    content returns if the creation is undone).
//  - Truncate is durable when it returns (the contract says so).
// Not modelled: directories themselves (CreateDir is durable at once; they
// are never removed), renames across directories (refused), bit rot (tests
// corrupt files with Overwrite), and reordering of data writes within a file.
// After a crash every WritableFile opened before it fails ("storage crashed"),
// as the process that held it is gone. Failures can be injected per kind of
// operation. Thread-safe (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "nodes/log/storage.h"

namespace ts::wal {

class MemoryStorage final : public Storage {
 public:
  enum class Operation { kCreate, kAppend, kSync, kSyncDir, kRename, kRemove, kTruncate, kRead };

  MemoryStorage();

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

  struct CrashReport {
    uint64_t unsynced_bytes_dropped = 0;
    uint64_t files_cut = 0;        // files that lost unsynced bytes
    uint64_t files_zero_tailed = 0;
    uint64_t name_operations_undone = 0;
  };
  // Power loss: keeps what the contract promises and a random part of the
  // rest (see above); the same seed on the same history drops the same bytes.
  CrashReport Crash(uint64_t seed);

  // While set, every operation of this kind fails with an injected error.
  void FailOperation(Operation operation, bool fail);

  // Test access. Overwrite replaces a file's content durably (for corruption
  // tests) and fails if the file does not exist.
  Status Overwrite(const std::string& path, std::string content);
  uint64_t SyncedSize(const std::string& path) const;  // 0 for a missing file
  uint64_t sync_count() const;      // WritableFile::Sync calls that succeeded
  uint64_t dir_sync_count() const;

 private:
  friend class MemoryWritableFile;

  struct Inode {
    std::string data;
    uint64_t synced = 0;
  };
  struct NameOperation {
    enum Kind { kLink, kUnlink, kRename } kind;
    std::string name;
    std::string to;  // kRename only
    uint64_t inode = 0;
  };
  struct Directory {
    std::map<std::string, uint64_t> names;    // what readers see now
    std::map<std::string, uint64_t> durable;  // as of the last SyncDir
    std::vector<NameOperation> pending;       // since then, in order
  };

  Status Injected(Operation operation, const std::string& path) const;
  Directory* FindDir(const std::string& dir);
  // The inode a path names now, or nullptr.
  Inode* FindFile(const std::string& path);
  static void Replay(const NameOperation& operation, std::map<std::string, uint64_t>& names);
  // Forgets files no name (now, durable or pending) refers to. An open handle
  // on a file removed and dir-synced then fails ("file is gone"); the log
  // never writes to a removed file.
  void CollectUnlinked();

  mutable std::mutex mutex_;
  std::map<std::string, Directory> dirs_;
  std::map<uint64_t, Inode> inodes_;
  uint64_t next_inode_ = 1;
  uint64_t epoch_ = 0;  // bumped by Crash: older handles are dead
  std::set<Operation> failing_;
  uint64_t sync_count_ = 0;
  uint64_t dir_sync_count_ = 0;
};

}  // namespace ts::wal
