#include "nodes/space/persistence.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace ts {

namespace {

constexpr std::string_view kMagic = "tuplestar-snapshot ";
constexpr std::string_view kV1Prefix = "tuplestar-snapshot v1 pairs=";
constexpr std::string_view kV2Prefix = "tuplestar-snapshot v2 pairs=";
constexpr std::string_view kV2Form = "tuplestar-snapshot v2 pairs=N term=T seq=S";

// A decimal number without sign or spaces that fits in 64 bits.
std::optional<uint64_t> ParseNumber(std::string_view text) {
  uint64_t value = 0;
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Takes "name=" and the number after it from the front of *rest, up to the
// next space; the message says what is wrong.
Result<uint64_t> TakeField(std::string_view* rest, std::string_view name, std::string_view what) {
  if (rest->substr(0, name.size()) != name) {
    return Error{ErrorKind::kMalformedRequest, fmt::format("expected '{}' in a v2 header ('{}')", name, kV2Form)};
  }
  rest->remove_prefix(name.size());
  const size_t space = rest->find(' ');
  const std::string_view text = rest->substr(0, space);
  rest->remove_prefix(space == std::string_view::npos ? rest->size() : space + 1);
  auto number = ParseNumber(text);
  if (!number) return Error{ErrorKind::kMalformedRequest, fmt::format("{} '{}' is not a number", what, text)};
  return *number;
}

// The first line: v1 "tuplestar-snapshot v1 pairs=N" (position 0:0) or v2
// "tuplestar-snapshot v2 pairs=N term=T seq=S". The error is the reason only.
Result<SnapshotHeader> ParseHeader(std::string_view line) {
  SnapshotHeader header;
  std::string_view rest;
  const bool v1 = line.substr(0, kV1Prefix.size()) == kV1Prefix;
  const bool v2 = line.substr(0, kV2Prefix.size()) == kV2Prefix;
  if (!v1 && !v2) {
    if (line.substr(0, kMagic.size()) == kMagic) {
      const std::string_view version = line.substr(kMagic.size(), line.find(' ', kMagic.size()) - kMagic.size());
      return Error{ErrorKind::kMalformedRequest,
                   fmt::format("snapshot format '{}' is not one this tsnode reads (v1, v2)", version)};
    }
    return Error{ErrorKind::kMalformedRequest,
                 fmt::format("not a tuplestar snapshot (expected a first line '{}')", kV2Form)};
  }
  rest = line.substr(kV1Prefix.size());  // both prefixes have the same length
  const size_t space = rest.find(' ');
  const std::string_view count_text = v1 ? rest : rest.substr(0, space);
  auto count = ParseNumber(count_text);
  if (!count) return Error{ErrorKind::kMalformedRequest, fmt::format("pair count '{}' is not a number", count_text)};
  header.pairs = static_cast<size_t>(*count);
  if (v1) return header;
  if (space == std::string_view::npos) {
    return Error{ErrorKind::kMalformedRequest, fmt::format("a v2 header needs term= and seq= ('{}')", kV2Form)};
  }
  rest.remove_prefix(space + 1);
  Result<uint64_t> term = TakeField(&rest, "term=", "term");
  if (!term.ok()) return term.error();
  Result<uint64_t> seq = TakeField(&rest, "seq=", "seq");
  if (!seq.ok()) return seq.error();
  if (!rest.empty()) {
    return Error{ErrorKind::kMalformedRequest, fmt::format("unexpected '{}' at the end of the header", rest)};
  }
  if ((term.value() == 0) != (seq.value() == 0)) {
    return Error{ErrorKind::kMalformedRequest,
                 fmt::format("term={} seq={} is not a log position (both are 0, or both at least 1)", term.value(),
                             seq.value())};
  }
  header.at = SnapshotPosition{term.value(), seq.value()};
  return header;
}

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

Status SaveSpace(const TupleSpace& space, const std::string& path, SnapshotPosition at) {
  const std::string temp_path = path + ".tmp";
  int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create", temp_path);

  // Written in bounded chunks so saving a large space does not double its memory.
  constexpr size_t kWriteChunkBytes = 1 << 20;
  std::string buffer = fmt::format("{}{} term={} seq={}\n", kV2Prefix, space.size(), at.term, at.seq);
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

Result<SnapshotHeader> ReadSnapshotHeader(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot open", path);
  std::string line;
  if (!std::getline(in, line)) {
    if (in.bad()) return IoError("cannot read", path);
    return Error{ErrorKind::kMalformedRequest,
                 fmt::format("{}:1: not a tuplestar snapshot (expected a first line '{}')", path, kV2Form)};
  }
  Result<SnapshotHeader> header = ParseHeader(line);
  if (!header.ok()) return Error{ErrorKind::kMalformedRequest, fmt::format("{}:1: {}", path, header.error().message)};
  return header;
}

Status LoadSpace(const std::string& path, TupleSpace* space, SnapshotPosition* at) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot open", path);
  return LoadSpaceFrom(in, path, space, at);
}

Status LoadSpaceFrom(std::istream& in, const std::string& path, TupleSpace* space, SnapshotPosition* at) {
  auto malformed = [&path](size_t line_number, const std::string& why) {
    return Error{ErrorKind::kMalformedRequest,
                 fmt::format("{}:{}: {}", path, line_number, why)};
  };

  std::string line;
  if (!std::getline(in, line)) {
    if (in.bad()) return IoError("cannot read", path);
    return malformed(1, fmt::format("not a tuplestar snapshot (expected a first line '{}')", kV2Form));
  }
  Result<SnapshotHeader> header = ParseHeader(line);
  if (!header.ok()) return malformed(1, header.error().message);
  const size_t expected_pairs = header.value().pairs;

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
  if (at != nullptr) *at = header.value().at;
  return Status::Ok();
}

}  // namespace ts
