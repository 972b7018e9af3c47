#include "nodes/log/memory_storage.h"

#include <algorithm>
#include <random>
#include <utility>

namespace ts::wal {
namespace {

Error Failure(std::string_view operation, std::string_view path, std::string_view why) {
  return Error{ErrorKind::kInternal, std::string(operation) + " " + std::string(path) + ": " + std::string(why)};
}

const char* OperationName(MemoryStorage::Operation operation) {
  switch (operation) {
    case MemoryStorage::Operation::kCreate: return "create";
    case MemoryStorage::Operation::kAppend: return "write";
    case MemoryStorage::Operation::kSync: return "fdatasync";
    case MemoryStorage::Operation::kSyncDir: return "fsync directory";
    case MemoryStorage::Operation::kRename: return "rename";
    case MemoryStorage::Operation::kRemove: return "remove";
    case MemoryStorage::Operation::kTruncate: return "truncate";
    case MemoryStorage::Operation::kRead: return "read";
  }
  return "operation";
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

// A handle on one inode, valid until the storage crashes.
class MemoryWritableFile final : public WritableFile {
 public:
  MemoryWritableFile(MemoryStorage* storage, std::string path, uint64_t inode, uint64_t epoch)
      : storage_(storage), path_(std::move(path)), inode_(inode), epoch_(epoch) {}

  Status Append(std::string_view data) override {
    std::lock_guard lock(storage_->mutex_);
    Result<MemoryStorage::Inode*> inode = Live("write");
    if (!inode.ok()) return inode.error();
    Status injected = storage_->Injected(MemoryStorage::Operation::kAppend, path_);
    if (!injected.ok()) return injected;
    inode.value()->data.append(data);
    return Status::Ok();
  }

  Status Sync() override {
    std::lock_guard lock(storage_->mutex_);
    Result<MemoryStorage::Inode*> inode = Live("fdatasync");
    if (!inode.ok()) return inode.error();
    Status injected = storage_->Injected(MemoryStorage::Operation::kSync, path_);
    if (!injected.ok()) return injected;
    inode.value()->synced = inode.value()->data.size();
    ++storage_->sync_count_;
    return Status::Ok();
  }

  Status Close() override {
    closed_ = true;
    return Status::Ok();
  }

  uint64_t size() const override {
    std::lock_guard lock(storage_->mutex_);
    auto it = storage_->inodes_.find(inode_);
    return it == storage_->inodes_.end() ? 0 : it->second.data.size();
  }
  const std::string& path() const override { return path_; }

 private:
  Result<MemoryStorage::Inode*> Live(std::string_view operation) {
    if (closed_) return Failure(operation, path_, "file is closed");
    if (epoch_ != storage_->epoch_) return Failure(operation, path_, "storage crashed since the file was opened");
    auto it = storage_->inodes_.find(inode_);
    if (it == storage_->inodes_.end()) return Failure(operation, path_, "file is gone");
    return &it->second;
  }

  MemoryStorage* storage_;
  std::string path_;
  uint64_t inode_;
  uint64_t epoch_;
  bool closed_ = false;
};

Status MemoryStorage::Injected(Operation operation, const std::string& path) const {
  if (failing_.count(operation) == 0) return Status::Ok();
  return Failure(OperationName(operation), path, "Input/output error (injected)");
}

MemoryStorage::MemoryStorage() { dirs_[""]; }  // the working directory always exists

MemoryStorage::Directory* MemoryStorage::FindDir(const std::string& dir) {
  auto it = dirs_.find(dir);
  return it == dirs_.end() ? nullptr : &it->second;
}

MemoryStorage::Inode* MemoryStorage::FindFile(const std::string& path) {
  Directory* dir = FindDir(DirName(path));
  if (dir == nullptr) return nullptr;
  auto name = dir->names.find(BaseName(path));
  if (name == dir->names.end()) return nullptr;
  return &inodes_.at(name->second);
}

void MemoryStorage::CollectUnlinked() {
  std::set<uint64_t> referenced;
  for (const auto& [path, dir] : dirs_) {
    for (const auto& [name, inode] : dir.names) referenced.insert(inode);
    for (const auto& [name, inode] : dir.durable) referenced.insert(inode);
    for (const NameOperation& operation : dir.pending) referenced.insert(operation.inode);
  }
  std::erase_if(inodes_, [&](const auto& entry) { return referenced.count(entry.first) == 0; });
}

void MemoryStorage::Replay(const NameOperation& operation, std::map<std::string, uint64_t>& names) {
  switch (operation.kind) {
    case NameOperation::kLink:
      names[operation.name] = operation.inode;
      break;
    case NameOperation::kUnlink:
      names.erase(operation.name);
      break;
    case NameOperation::kRename:
      names.erase(operation.name);
      names[operation.to] = operation.inode;
      break;
  }
}

Result<std::unique_ptr<WritableFile>> MemoryStorage::NewWritableFile(const std::string& path) {
  std::lock_guard lock(mutex_);
  Status injected = Injected(Operation::kCreate, path);
  if (!injected.ok()) return injected.error();
  Directory* dir = FindDir(DirName(path));
  if (dir == nullptr) return Failure("create", path, "No such file or directory");
  const uint64_t inode = next_inode_++;
  inodes_[inode] = Inode{};
  NameOperation link{NameOperation::kLink, BaseName(path), {}, inode};
  Replay(link, dir->names);
  dir->pending.push_back(std::move(link));
  return std::unique_ptr<WritableFile>(new MemoryWritableFile(this, path, inode, epoch_));
}

Result<std::unique_ptr<WritableFile>> MemoryStorage::OpenAppendable(const std::string& path) {
  std::lock_guard lock(mutex_);
  Directory* dir = FindDir(DirName(path));
  auto name = dir == nullptr ? std::map<std::string, uint64_t>::iterator() : dir->names.find(BaseName(path));
  if (dir == nullptr || name == dir->names.end()) return Failure("open for append", path, "No such file or directory");
  return std::unique_ptr<WritableFile>(new MemoryWritableFile(this, path, name->second, epoch_));
}

Result<std::string> MemoryStorage::ReadFile(const std::string& path) {
  std::lock_guard lock(mutex_);
  Status injected = Injected(Operation::kRead, path);
  if (!injected.ok()) return injected.error();
  const Inode* inode = FindFile(path);
  if (inode == nullptr) return Failure("open", path, "No such file or directory");
  return inode->data;
}

Result<std::string> MemoryStorage::ReadRange(const std::string& path, uint64_t offset, uint64_t length) {
  std::lock_guard lock(mutex_);
  Status injected = Injected(Operation::kRead, path);
  if (!injected.ok()) return injected.error();
  const Inode* inode = FindFile(path);
  if (inode == nullptr) return Failure("open", path, "No such file or directory");
  if (offset >= inode->data.size()) return std::string();
  return inode->data.substr(offset, length);
}

Result<uint64_t> MemoryStorage::FileSize(const std::string& path) {
  std::lock_guard lock(mutex_);
  const Inode* inode = FindFile(path);
  if (inode == nullptr) return Failure("stat", path, "No such file or directory");
  return uint64_t{inode->data.size()};
}

Result<std::vector<std::string>> MemoryStorage::List(const std::string& dir) {
  std::lock_guard lock(mutex_);
  const Directory* found = FindDir(dir);
  if (found == nullptr) return Failure("list", dir, "No such file or directory");
  std::vector<std::string> names;
  for (const auto& [name, inode] : found->names) names.push_back(name);
  return names;
}

bool MemoryStorage::Exists(const std::string& path) {
  std::lock_guard lock(mutex_);
  return FindFile(path) != nullptr || dirs_.count(path) > 0;
}

Status MemoryStorage::CreateDir(const std::string& dir) {
  std::lock_guard lock(mutex_);
  for (std::string at = dir; !at.empty() && at != "/"; at = DirName(at)) dirs_.try_emplace(at);
  return Status::Ok();
}

Status MemoryStorage::SyncDir(const std::string& dir) {
  std::lock_guard lock(mutex_);
  Status injected = Injected(Operation::kSyncDir, dir);
  if (!injected.ok()) return injected;
  Directory* found = FindDir(dir);
  if (found == nullptr) return Failure("open directory", dir, "No such file or directory");
  found->durable = found->names;
  found->pending.clear();
  CollectUnlinked();
  ++dir_sync_count_;
  return Status::Ok();
}

Status MemoryStorage::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mutex_);
  Status injected = Injected(Operation::kRename, from);
  if (!injected.ok()) return injected;
  if (DirName(from) != DirName(to)) return Failure("rename " + from + " to", to, "renames across directories are not modelled");
  Directory* dir = FindDir(DirName(from));
  auto name = dir == nullptr ? std::map<std::string, uint64_t>::iterator() : dir->names.find(BaseName(from));
  if (dir == nullptr || name == dir->names.end()) return Failure("rename " + from + " to", to, "No such file or directory");
  NameOperation rename{NameOperation::kRename, BaseName(from), BaseName(to), name->second};
  Replay(rename, dir->names);
  dir->pending.push_back(std::move(rename));
  return Status::Ok();
}

Status MemoryStorage::Remove(const std::string& path) {
  std::lock_guard lock(mutex_);
  Status injected = Injected(Operation::kRemove, path);
  if (!injected.ok()) return injected;
  Directory* dir = FindDir(DirName(path));
  if (dir == nullptr || dir->names.count(BaseName(path)) == 0) return Failure("remove", path, "No such file or directory");
  NameOperation unlink{NameOperation::kUnlink, BaseName(path), {}, 0};
  Replay(unlink, dir->names);
  dir->pending.push_back(std::move(unlink));
  return Status::Ok();
}

Status MemoryStorage::Truncate(const std::string& path, uint64_t size) {
  std::lock_guard lock(mutex_);
  Status injected = Injected(Operation::kTruncate, path);
  if (!injected.ok()) return injected;
  Inode* inode = FindFile(path);
  if (inode == nullptr) return Failure("open for truncation", path, "No such file or directory");
  if (size > inode->data.size()) {
    return Failure("truncate", path, "to " + std::to_string(size) + " bytes: the file has only " +
                                         std::to_string(inode->data.size()));
  }
  inode->data.resize(size);
  inode->synced = size;
  return Status::Ok();
}

MemoryStorage::CrashReport MemoryStorage::Crash(uint64_t seed) {
  std::lock_guard lock(mutex_);
  std::mt19937_64 random(seed);
  auto below = [&](uint64_t bound) { return bound == 0 ? 0 : std::uniform_int_distribution<uint64_t>(0, bound)(random); };
  CrashReport report;

  for (auto& [path, dir] : dirs_) {
    const uint64_t kept = below(dir.pending.size());
    for (uint64_t i = 0; i < kept; ++i) Replay(dir.pending[i], dir.durable);
    report.name_operations_undone += dir.pending.size() - kept;
    dir.pending.clear();
    dir.names = dir.durable;
  }

  CollectUnlinked();
  for (auto& [id, inode] : inodes_) {
    const uint64_t unsynced = inode.data.size() - inode.synced;
    if (unsynced > 0) {
      const uint64_t kept = below(unsynced);
      if (kept < unsynced) ++report.files_cut;
      report.unsynced_bytes_dropped += unsynced - kept;
      inode.data.resize(inode.synced + kept);
      if (kept > 0 && below(3) == 0) {
        const uint64_t zeros = 1 + below(kept - 1);
        std::fill(inode.data.end() - static_cast<std::ptrdiff_t>(zeros), inode.data.end(), '\0');
        ++report.files_zero_tailed;
      }
    }
    inode.synced = inode.data.size();
  }
  ++epoch_;
  return report;
}

void MemoryStorage::FailOperation(Operation operation, bool fail) {
  std::lock_guard lock(mutex_);
  if (fail) {
    failing_.insert(operation);
  } else {
    failing_.erase(operation);
  }
}

Status MemoryStorage::Overwrite(const std::string& path, std::string content) {
  std::lock_guard lock(mutex_);
  Inode* inode = FindFile(path);
  if (inode == nullptr) return Failure("overwrite", path, "No such file or directory");
  inode->data = std::move(content);
  inode->synced = inode->data.size();
  return Status::Ok();
}

uint64_t MemoryStorage::SyncedSize(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto* self = const_cast<MemoryStorage*>(this);
  const Inode* inode = self->FindFile(path);
  return inode == nullptr ? 0 : inode->synced;
}

uint64_t MemoryStorage::sync_count() const {
  std::lock_guard lock(mutex_);
  return sync_count_;
}

uint64_t MemoryStorage::dir_sync_count() const {
  std::lock_guard lock(mutex_);
  return dir_sync_count_;
}

}  // namespace ts::wal
