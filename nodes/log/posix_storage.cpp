#include "nodes/log/posix_storage.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>

namespace ts::wal {
namespace {

Error IoError(std::string_view operation, std::string_view path, int error_number) {
  return Error{ErrorKind::kInternal, std::string(operation) + " " + std::string(path) + ": " +
                                         std::generic_category().message(error_number) + " (errno " +
                                         std::to_string(error_number) + ")"};
}

// Closes a descriptor on every path out of a function.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

int OpenRetrying(const std::string& path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override { Close(); }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return IoError("write", path_, EBADF);
    while (!data.empty()) {
      const ssize_t written = ::write(fd_, data.data(), data.size());
      if (written < 0) {
        if (errno == EINTR) continue;
        return IoError("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(written));
      size_ += static_cast<uint64_t>(written);
    }
    return Status::Ok();
  }

  Status Sync() override {
    if (fd_ < 0) return IoError("fdatasync", path_, EBADF);
    if (::fdatasync(fd_) != 0) return IoError("fdatasync", path_, errno);
    return Status::Ok();
  }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0 && errno != EINTR) return IoError("close", path_, errno);
    return Status::Ok();
  }

  uint64_t size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

Result<std::string> ReadFrom(const std::string& path, int fd, uint64_t offset, uint64_t length) {
  std::string bytes(length, '\0');
  size_t done = 0;
  while (done < length) {
    const ssize_t got = ::pread(fd, bytes.data() + done, length - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path, errno);
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  bytes.resize(done);
  return bytes;
}

}  // namespace

Result<std::unique_ptr<WritableFile>> PosixStorage::NewWritableFile(const std::string& path) {
  const int fd = OpenRetrying(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (fd < 0) return IoError("create", path, errno);
  return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd, 0));
}

Result<std::unique_ptr<WritableFile>> PosixStorage::OpenAppendable(const std::string& path) {
  Descriptor fd(OpenRetrying(path, O_WRONLY | O_APPEND));
  if (fd.get() < 0) return IoError("open for append", path, errno);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return IoError("stat", path, errno);
  return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd.release(), static_cast<uint64_t>(info.st_size)));
}

Result<std::string> PosixStorage::ReadFile(const std::string& path) {
  Descriptor fd(OpenRetrying(path, O_RDONLY));
  if (fd.get() < 0) return IoError("open", path, errno);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return IoError("stat", path, errno);
  return ReadFrom(path, fd.get(), 0, static_cast<uint64_t>(info.st_size));
}

Result<std::string> PosixStorage::ReadRange(const std::string& path, uint64_t offset, uint64_t length) {
  Descriptor fd(OpenRetrying(path, O_RDONLY));
  if (fd.get() < 0) return IoError("open", path, errno);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return IoError("stat", path, errno);
  const auto size = static_cast<uint64_t>(info.st_size);
  if (offset >= size) return std::string();
  return ReadFrom(path, fd.get(), offset, std::min(length, size - offset));
}

Result<uint64_t> PosixStorage::FileSize(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return IoError("stat", path, errno);
  return static_cast<uint64_t>(info.st_size);
}

Result<std::vector<std::string>> PosixStorage::List(const std::string& dir) {
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return IoError("list", dir, errno);
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(handle)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int error_number = errno;
  ::closedir(handle);
  if (error_number != 0) return IoError("list", dir, error_number);
  return names;
}

bool PosixStorage::Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Status PosixStorage::CreateDir(const std::string& dir) {
  if (dir.empty()) return Status::Ok();
  struct stat info {};
  if (::stat(dir.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) return Status::Ok();
    return IoError("create directory", dir, ENOTDIR);
  }
  const std::string parent = DirName(dir);
  if (!parent.empty() && parent != dir) {
    Status made = CreateDir(parent);
    if (!made.ok()) return made;
  }
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return IoError("create directory", dir, errno);
  return Status::Ok();
}

Status PosixStorage::SyncDir(const std::string& dir) {
  const std::string target = dir.empty() ? "." : dir;
  Descriptor fd(OpenRetrying(target, O_RDONLY | O_DIRECTORY));
  if (fd.get() < 0) return IoError("open directory", target, errno);
  if (::fsync(fd.get()) != 0) return IoError("fsync directory", target, errno);
  return Status::Ok();
}

Status PosixStorage::Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return IoError("rename " + from + " to", to, errno);
  return Status::Ok();
}

Status PosixStorage::Remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return IoError("remove", path, errno);
  return Status::Ok();
}

Status PosixStorage::Truncate(const std::string& path, uint64_t size) {
  Descriptor fd(OpenRetrying(path, O_WRONLY));
  if (fd.get() < 0) return IoError("open for truncation", path, errno);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return IoError("stat", path, errno);
  if (size > static_cast<uint64_t>(info.st_size)) {
    return Error{ErrorKind::kInternal, "truncate " + path + " to " + std::to_string(size) +
                                           " bytes: the file has only " + std::to_string(info.st_size)};
  }
  if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) return IoError("truncate", path, errno);
  if (::fsync(fd.get()) != 0) return IoError("fsync", path, errno);
  return Status::Ok();
}

}  // namespace ts::wal
