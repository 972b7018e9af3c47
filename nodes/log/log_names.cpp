#include "nodes/log/log_names.h"

#include <charconv>
#include <cstdio>

namespace ts::wal {
namespace {

std::string Name(const char* prefix, uint64_t number, LogPosition position) {
  char text[96];
  std::snprintf(text, sizeof text, "%s-%08llu-%llu.%llu", prefix, static_cast<unsigned long long>(number),
                static_cast<unsigned long long>(position.term), static_cast<unsigned long long>(position.seq));
  return text;
}

// Reads a decimal number up to `stop` (or the end), advancing `text`.
bool ReadNumber(std::string_view& text, char stop, uint64_t* value) {
  const size_t end = stop == '\0' ? text.size() : text.find(stop);
  if (end == 0 || end == std::string_view::npos) return false;
  const std::string_view digits = text.substr(0, end);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos) return false;
  auto [at, error] = std::from_chars(digits.data(), digits.data() + digits.size(), *value);
  if (error != std::errc() || at != digits.data() + digits.size()) return false;
  text.remove_prefix(stop == '\0' ? end : end + 1);
  return true;
}

// "00000012-3.17" -> number and position.
bool ParseTail(std::string_view text, ParsedFileName* parsed) {
  return ReadNumber(text, '-', &parsed->number) && ReadNumber(text, '.', &parsed->position.term) &&
         ReadNumber(text, '\0', &parsed->position.seq) && text.empty();
}

}  // namespace

std::string SegmentFileName(uint64_t number, LogPosition base) { return Name("log", number, base); }

std::string SnapshotFileName(uint64_t first_segment, LogPosition at) { return Name("snapshot", first_segment, at); }

ParsedFileName ParseFileName(std::string_view name) {
  ParsedFileName parsed;
  const bool temp = name.size() > kTempSuffix.size() && name.substr(name.size() - kTempSuffix.size()) == kTempSuffix;
  if (temp) name.remove_suffix(kTempSuffix.size());
  ParsedFileName::Kind kind = ParsedFileName::Kind::kOther;
  if (name.rfind("log-", 0) == 0) {
    kind = ParsedFileName::Kind::kSegment;
    name.remove_prefix(4);
  } else if (name.rfind("snapshot-", 0) == 0) {
    kind = ParsedFileName::Kind::kSnapshot;
    name.remove_prefix(9);
  } else {
    return parsed;
  }
  if (!ParseTail(name, &parsed)) return ParsedFileName{};
  parsed.kind = temp ? ParsedFileName::Kind::kTemp : kind;
  return parsed;
}

}  // namespace ts::wal
