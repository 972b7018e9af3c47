// Unicode facts the Python-syntax parser needs (str.isalpha, isidentifier,
// isspace, unicodedata.decimal), answered from PCRE2's Unicode tables, which
// are the same Unicode version (14.0) as CPython 3.11's. The space list is
// CPython's Py_UNICODE_ISSPACE; PCRE2's \s differs from it (0x1c-0x1f,
// U+180E), which is why it is spelled out here. The tests compare every one
// of these against python3 over all code points.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>
#include <string>

#include "nodes/pattern/pattern_syntax.h"

namespace ts::pattern_syntax {
namespace {

// A one-character PCRE2 test compiled once per process.
class CharTest {
 public:
  explicit CharTest(const char* pattern) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern), PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &error,
                          &offset, nullptr);
  }
  ~CharTest() { pcre2_code_free(code_); }
  CharTest(const CharTest&) = delete;
  CharTest& operator=(const CharTest&) = delete;

  bool operator()(char32_t c) const {
    if (code_ == nullptr || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
    std::string bytes;
    AppendUtf8(c, &bytes);
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
        pcre2_match_data_create(1, nullptr), &pcre2_match_data_free);
    if (!data) return false;
    return pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(bytes.data()), bytes.size(), 0, 0,
                       data.get(), nullptr) >= 0;
  }

 private:
  pcre2_code* code_ = nullptr;
};

}  // namespace

const std::vector<CodeRange>& PythonSpaceRanges() {
  static const std::vector<CodeRange> ranges = {
      {0x09, 0x0D}, {0x1C, 0x20}, {0x85, 0x85},     {0xA0, 0xA0},     {0x1680, 0x1680},
      {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
  };
  return ranges;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string ToUtf8(std::u32string_view text) {
  std::string out;
  for (char32_t c : text) AppendUtf8(c, &out);
  return out;
}

bool IsPythonSpace(char32_t c) {
  for (const CodeRange& range : PythonSpaceRanges()) {
    if (c >= range.lo && c <= range.hi) return true;
  }
  return false;
}

bool IsPythonAlpha(char32_t c) {
  static const CharTest letter("\\p{L}");
  return letter(c);
}

bool IsPythonIdentifier(std::u32string_view name) {
  static const CharTest start("[\\p{XIDS}_]");
  static const CharTest rest("\\p{XIDC}");
  if (name.empty() || !start(name[0])) return false;
  for (size_t i = 1; i < name.size(); ++i) {
    if (!rest(name[i])) return false;
  }
  return true;
}

int PythonDecimalValue(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  static const CharTest decimal("\\p{Nd}");
  if (!decimal(c)) return -1;
  // Unicode encodes each decimal digit set as a contiguous run from 0 to 9,
  // and adjacent sets (the mathematical digits) follow one another.
  char32_t first = c;
  while (first > 0 && decimal(first - 1)) --first;
  return static_cast<int>((c - first) % 10);
}

}  // namespace ts::pattern_syntax
