#include "common/security/key_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ts::security {
namespace {

namespace fs = std::filesystem;

Error FileError(const fs::path& path, std::string what) {
  return Error{ErrorKind::kInternal, path.string() + ": " + std::move(what)};
}

std::string Errno() { return std::strerror(errno); }

std::string ModeText(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// A name next to `path` that no other writer uses: pid plus a counter.
fs::path TemporaryNameFor(const fs::path& path) {
  static std::atomic<uint64_t> counter{0};
  return fs::path(path.string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++));
}

// Writes `text` to a new file at `path` with exactly `mode`, atomically and
// without replacing anything (see the header).
Status WriteNewFile(const fs::path& path, std::string_view text, mode_t mode) {
  const fs::path temporary = TemporaryNameFor(path);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return FileError(temporary, "cannot create: " + Errno());
  Status status;
  // open() applies the umask, which can only clear bits; fchmod sets the mode
  // the contract promises (0644 public files stay readable under umask 077).
  if (::fchmod(fd, mode) != 0) status = FileError(temporary, "cannot set mode " + ModeText(mode) + ": " + Errno());
  size_t written = 0;
  while (status.ok() && written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) status = FileError(temporary, "cannot write: " + Errno());
    else written += static_cast<size_t>(n);
  }
  if (status.ok() && ::fsync(fd) != 0) status = FileError(temporary, "cannot sync: " + Errno());
  ::close(fd);
  if (status.ok() && ::link(temporary.c_str(), path.c_str()) != 0) {
    status = errno == EEXIST ? FileError(path, "exists; a key is never overwritten (remove it first to replace it)")
                             : FileError(path, "cannot create: " + Errno());
  }
  ::unlink(temporary.c_str());
  return status;
}

struct KeyFileText {
  std::string text;
  mode_t mode = 0;
};

Result<KeyFileText> ReadKeyFile(const fs::path& path, std::string_view kind) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::string why = "cannot open the " + std::string(kind) + " key: " + Errno();
    if (errno == ENOENT) why += " (make keys with `tskeys keygen --out BASE` or `tskeys cluster DIR`)";
    return FileError(path, why);
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const std::string why = Errno();
    ::close(fd);
    return FileError(path, "cannot stat: " + why);
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return FileError(path, "not a regular file");
  }
  KeyFileText file{std::string(kMaxKeyFileBytes + 1, '\0'), info.st_mode};
  size_t got = 0;
  while (got < file.text.size()) {
    const ssize_t n = ::read(fd, file.text.data() + got, file.text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = Errno();
      ::close(fd);
      return FileError(path, "cannot read: " + why);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > kMaxKeyFileBytes) {
    return FileError(path, "not a CURVE key: longer than " + std::to_string(kMaxKeyFileBytes) + " bytes");
  }
  file.text.resize(got);
  return file;
}

}  // namespace

fs::path PublicKeyPath(const fs::path& base) { return fs::path(base.string() + std::string(kPublicKeySuffix)); }
fs::path SecretKeyPath(const fs::path& base) { return fs::path(base.string() + std::string(kSecretKeySuffix)); }

Status WritePublicKeyFile(const fs::path& path, const CurveKey& public_key) {
  return WriteNewFile(path, EncodeZ85Key(public_key) + "\n", kPublicFileMode);
}

Status WriteKeyPair(const fs::path& base, const CurveKeyPair& pair) {
  for (const fs::path& path : {SecretKeyPath(base), PublicKeyPath(base)}) {
    std::error_code error;
    if (fs::exists(fs::symlink_status(path, error))) {
      return FileError(path, "exists; a key is never overwritten (remove it first to replace it)");
    }
  }
  std::string secret_text = EncodeZ85Key(pair.secret_key) + "\n";
  Status written = WriteNewFile(SecretKeyPath(base), secret_text, kSecretFileMode);
  std::fill(secret_text.begin(), secret_text.end(), '\0');
  if (!written.ok()) return written;
  return WritePublicKeyFile(PublicKeyPath(base), pair.public_key);
}

Result<CurveKey> ReadPublicKeyFile(const fs::path& path) {
  Result<KeyFileText> file = ReadKeyFile(path, "public");
  if (!file.ok()) return file.error();
  return DecodeZ85Key(file.value().text, path.string());
}

Result<CurveKey> ReadSecretKeyFile(const fs::path& path) {
  Result<KeyFileText> file = ReadKeyFile(path, "secret");
  if (!file.ok()) return file.error();
  std::string& text = file.value().text;
  const mode_t mode = file.value().mode;  // of the file read, not of a path looked at earlier
  Result<CurveKey> key = (mode & 077) != 0
                             ? Result<CurveKey>(FileError(path, "the secret key is open to group or others (mode " +
                                                                    ModeText(mode) + "); refusing to use it. Fix: chmod 600 " +
                                                                    path.string()))
                             : DecodeZ85Key(text, path.string());
  std::fill(text.begin(), text.end(), '\0');
  return key;
}

Result<CurveKeyPair> ReadKeyPair(const fs::path& base) {
  Result<CurveKey> secret_key = ReadSecretKeyFile(SecretKeyPath(base));
  if (!secret_key.ok()) return secret_key.error();
  Result<CurveKey> public_key = ReadPublicKeyFile(PublicKeyPath(base));
  if (!public_key.ok()) return public_key.error();
  Result<CurveKey> derived = PublicKeyOf(secret_key.value());
  if (!derived.ok()) return derived.error();
  if (derived.value() != public_key.value()) {
    return FileError(PublicKeyPath(base), "does not belong to " + SecretKeyPath(base).string() +
                                              " (the public key of that secret has fingerprint " +
                                              KeyFingerprint(derived.value()) + ")");
  }
  return CurveKeyPair{public_key.value(), secret_key.value()};
}

}  // namespace ts::security

