// Turning typed text into words and bytes: a prompt line split as a shell
// would (quotes group, blanks separate), and send-raw's hex decoded. Declared
// in tsctl_command.h, beside the parser the words go to.
#include <string>
#include <vector>

#include "clients/tsctl_command.h"

namespace ts::tsctl {

Result<std::vector<std::string>> SplitCommandLine(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c != '\'' && c != '"') {
      word += c;
      continue;
    }
    const size_t opened_at = i;
    for (++i; i < line.size() && line[i] != c; ++i) {
      if (c == '"' && line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) ++i;
      word += line[i];
    }
    if (i >= line.size()) {
      return Error{ErrorKind::kMalformedRequest, std::string("unclosed ") + c + " quote opened at column " +
                                                     std::to_string(opened_at + 1)};
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<std::string> DecodeHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) {
    return Error{ErrorKind::kMalformedRequest,
                 "hex needs an even number of digits; got " + std::to_string(hex.size())};
  }
  std::string bytes;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int high = nibble(hex[i]);
    int low = nibble(hex[i + 1]);
    if (high < 0 || low < 0) {
      size_t bad = high < 0 ? i : i + 1;
      return Error{ErrorKind::kMalformedRequest, "'" + std::string(1, hex[bad]) + "' at position " +
                                                     std::to_string(bad + 1) + " is not a hex digit"};
    }
    bytes += static_cast<char>(high * 16 + low);
  }
  return bytes;
}

}  // namespace ts::tsctl
