// The tokenizer of CPython 3.11's re._parser, and its error type (internal).
//
// A token is one character, or a backslash and the character after it. Errors
// carry Python's position rule: error(msg, offset) points `offset` characters
// before the start of the next token. Parsing errors are thrown as
// ParseFailure inside the parser and caught at ParsePythonSyntax, so they
// never leave ts_pattern.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "nodes/pattern/pattern_syntax.h"

namespace ts::pattern_syntax {

struct ParseFailure {
  SyntaxError error;
};

inline bool IsAsciiDigit(char32_t c) { return c >= '0' && c <= '9'; }
inline bool IsOctDigit(char32_t c) { return c >= '0' && c <= '7'; }
inline bool IsHexDigit(char32_t c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline bool IsAsciiLetter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Python's repr() of a str, for messages such as "unknown group name 'x'".
std::string PythonRepr(std::u32string_view text);

class Tokenizer {
 public:
  explicit Tokenizer(std::u32string_view pattern) : pattern_(pattern) { Advance(); }

  const std::u32string& next() const { return next_; }  // empty at the end
  bool at_end() const { return next_.empty(); }
  bool NextIs(char32_t c) const { return next_.size() == 1 && next_[0] == c; }
  template <class Predicate>
  bool NextSatisfies(Predicate predicate) const {
    return next_.size() == 1 && predicate(next_[0]);
  }

  bool Match(char32_t c) {
    if (!NextIs(c)) return false;
    Advance();
    return true;
  }
  std::u32string Get() {
    std::u32string token = next_;
    Advance();
    return token;
  }
  template <class Predicate>
  std::u32string GetWhile(int count, Predicate predicate) {
    std::u32string result;
    for (int i = 0; i < count && NextSatisfies(predicate); ++i) result += Get();
    return result;
  }
  // Characters up to `terminator` (consumed, not returned).
  std::u32string GetUntil(char32_t terminator, std::string_view name) {
    std::u32string result;
    while (true) {
      std::u32string token = Get();
      if (token.empty()) {
        if (result.empty()) Fail("missing " + std::string(name));
        Fail("missing " + ToUtf8(std::u32string(1, terminator)) + ", unterminated name",
             result.size());
      }
      if (token.size() == 1 && token[0] == terminator) {
        if (result.empty()) Fail("missing " + std::string(name), 1);
        break;
      }
      result += token;
    }
    return result;
  }

  size_t Tell() const { return index_ - next_.size(); }
  void Seek(size_t index) {
    index_ = index;
    Advance();
  }

  [[noreturn]] void Fail(std::string problem, size_t offset = 0) const {
    throw ParseFailure{SyntaxError{Tell() - offset, std::move(problem), true}};
  }

 private:
  void Advance() {
    size_t index = index_;
    if (index >= pattern_.size()) {
      next_.clear();
      return;
    }
    std::u32string token(1, pattern_[index]);
    if (pattern_[index] == '\\') {
      ++index;
      if (index >= pattern_.size()) {
        throw ParseFailure{SyntaxError{pattern_.size() - 1, "bad escape (end of pattern)", true}};
      }
      token += pattern_[index];
    }
    index_ = index + 1;
    next_ = std::move(token);
  }

  std::u32string_view pattern_;
  size_t index_ = 0;
  std::u32string next_;
};

}  // namespace ts::pattern_syntax
