// Storage: the few file-system operations the durable log needs (LevelDB's
// Env, cut down), so that the log runs on real files (PosixStorage) and, in
// tests and the simulation, on a disk that can crash (MemoryStorage).
//
// The contract every implementation keeps, and the log relies on:
//  - Bytes appended to a WritableFile are visible to reads at once but durable
//    only after its Sync() returned (fdatasync); a crash may drop any suffix
//    of the bytes appended since the last Sync.
//  - A file's name (its creation, a rename onto it, its removal) is durable
//    only after SyncDir() of its directory returned; a crash may undo
//    operations on names made since.
//  - Rename replaces the target at once (readers see the old or the new file,
//    never a mix). Truncate returns only once the new size is durable.
//  - Every failure is a Status of kind kInternal whose message names the
//    operation, the path and the cause (errno text for POSIX). Nothing throws.
// Paths are plain strings "dir/name"; List returns the names in a directory
// (no "." or ".."), in no particular order. One Storage may be used from
// several threads, one WritableFile from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ts::wal {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes every byte appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  // Closes the file without syncing; later calls fail. The destructor closes too.
  virtual Status Close() = 0;
  virtual uint64_t size() const = 0;  // bytes in the file, synced or not
  virtual const std::string& path() const = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Creates the file, or empties an existing one, for appending.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens an existing file for appending after its current end.
  virtual Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) = 0;

  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Up to `length` bytes from `offset` (fewer at the end of the file).
  virtual Result<std::string> ReadRange(const std::string& path, uint64_t offset, uint64_t length) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;

  virtual Result<std::vector<std::string>> List(const std::string& dir) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // Creates the directory (and its parents); fine if it exists.
  virtual Status CreateDir(const std::string& dir) = 0;
  virtual Status SyncDir(const std::string& dir) = 0;

  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;
  // Cuts the file to `size` bytes (never grows it) and syncs it.
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
};

// "dir/name" (dir "" gives "name").
std::string JoinPath(std::string_view dir, std::string_view name);
// The directory part of a path ("" for a bare name).
std::string DirName(std::string_view path);

}  // namespace ts::wal
