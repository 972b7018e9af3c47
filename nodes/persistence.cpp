#include "nodes/persistence.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace ts {

namespace {

constexpr std::string_view kHeaderPrefix = "tuplestar-snapshot v1 pairs=";

Error IoError(const std::string& what, const std::string& path) {
  return Error{ErrorKind::kInternal, fmt::format("{} {}: {}", what, path, std::strerror(errno))};
}

Status WriteAll(int fd, const std::string& bytes, const std::string& path) {
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", path);
    }
    written += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status FsyncDirectoryOf(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string directory = parent.empty() ? std::string(".") : parent.string();
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return IoError("cannot open directory", directory);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("cannot fsync directory", directory);
  return Status::Ok();
}

}  // namespace

Status SaveSpace(const TupleSpace& space, const std::string& path) {
  const std::string temp_path = path + ".tmp";
  int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create", temp_path);

  // Written in bounded chunks so saving a large space does not double its memory.
  constexpr size_t kWriteChunkBytes = 1 << 20;
  std::string buffer = fmt::format("{}{}\n", kHeaderPrefix, space.size());
  Status status;
  for (const auto& [key, value] : space.pairs()) {
    buffer.append(key).push_back('\t');
    buffer.append(value).push_back('\n');
    if (buffer.size() >= kWriteChunkBytes) {
      status = WriteAll(fd, buffer, temp_path);
      if (!status.ok()) break;
      buffer.clear();
    }
  }
  if (status.ok()) status = WriteAll(fd, buffer, temp_path);
  if (status.ok() && ::fsync(fd) != 0) status = IoError("cannot fsync", temp_path);
  ::close(fd);
  if (status.ok() && std::rename(temp_path.c_str(), path.c_str()) != 0) {
    status = IoError("cannot rename " + temp_path + " to", path);
  }
  if (!status.ok()) {
    ::unlink(temp_path.c_str());
    return status;
  }
  return FsyncDirectoryOf(path);
}

Status LoadSpace(const std::string& path, TupleSpace* space) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot open", path);
  auto malformed = [&path](size_t line_number, const std::string& why) {
    return Error{ErrorKind::kMalformedRequest,
                 fmt::format("{}:{}: {}", path, line_number, why)};
  };

  std::string line;
  if (!std::getline(in, line) || line.rfind(kHeaderPrefix, 0) != 0) {
    return malformed(1, fmt::format("not a tuplestar snapshot (expected a first line '{}N')",
                                    kHeaderPrefix));
  }
  size_t expected_pairs = 0;
  const std::string count_text = line.substr(kHeaderPrefix.size());
  try {
    size_t parsed_chars = 0;
    expected_pairs = std::stoull(count_text, &parsed_chars);
    if (parsed_chars != count_text.size()) throw std::invalid_argument(count_text);
  } catch (const std::exception&) {
    return malformed(1, fmt::format("pair count '{}' is not a number", count_text));
  }

  TupleSpace loaded(space->limits());
  size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      return malformed(line_number, "expected 'key<TAB>value'");
    }
    std::string key = line.substr(0, tab);
    std::string value = line.substr(tab + 1);
    if (!IsWellFormedTupleText(key)) {
      return malformed(line_number, fmt::format("key '{}' is not a well-formed tuple", key));
    }
    if (!IsWellFormedTupleText(value)) {
      return malformed(line_number, fmt::format("value '{}' is not a well-formed tuple", value));
    }
    if (loaded.pairs().count(key) != 0) {
      return malformed(line_number, fmt::format("key '{}' appears twice", key));
    }
    loaded.Upsert(std::move(key), std::move(value));
  }
  if (in.bad()) return IoError("cannot read", path);
  if (loaded.size() != expected_pairs) {
    return malformed(line_number, fmt::format("header says {} pairs but the file holds {} "
                                              "(truncated or edited?)",
                                              expected_pairs, loaded.size()));
  }
  space->Clear();
  for (const auto& [key, value] : loaded.pairs()) space->Upsert(key, value);
  return Status::Ok();
}

}  // namespace ts
