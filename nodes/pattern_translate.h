// Python `re` pattern -> PCRE2 pattern with the same re.fullmatch verdicts
// (internal to ts_pattern; the tests use it directly).
//
// TranslatePython parses with ParsePythonSyntax (so it rejects what CPython
// 3.11 rejects, at the same position) and writes a PCRE2 pattern that, compiled
// with kPcre2CompileOptions, matches a UTF-8 subject exactly when
// re.fullmatch would match the decoded str. Where PCRE2 and Python disagree
// the translation spells Python's meaning out: \s is Python's space list, \Z
// is \z, \B fails on an empty subject, ASCII mode (?a) gets explicit ASCII
// classes and ASCII-only case folding, and the four case-folding groups where
// PCRE2's tables differ from Python's (i/I/U+0130/U+0131, and three Greek and
// ligature pairs) become explicit sets. Named groups become numbered ones, so
// any name Python allows works. Remaining known differences (documented, not
// hidden): case-insensitive back-references compare with PCRE2's Unicode case
// folding (Python: str.lower(); they differ for a few characters such as
// U+017F, and for non-ASCII letters under (?ai)).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "nodes/pattern_syntax.h"

namespace ts::pattern_syntax {

struct Translation {
  std::string pcre2;              // PCRE2 source, to compile with kPcre2CompileOptions
  std::string literal_prefix;     // UTF-8 text every match starts with (may be empty)
  bool matches_everything = false;       // matches every string
  bool matches_every_single_line = false;  // matches every string without '\n'
};

// PCRE2_UTF | PCRE2_UCP | anchored at both ends | ALT_CIRCUMFLEX | ... (see .cpp)
extern const uint32_t kPcre2CompileOptions;

// The longest repeat count PCRE2 accepts; Python allows up to 4294967294.
inline constexpr uint32_t kPcre2MaxRepeat = 65535;

std::variant<Translation, SyntaxError> TranslatePython(std::string_view utf8_pattern);

// Decodes strict UTF-8; on failure returns false and sets *bad_byte.
bool DecodeUtf8(std::string_view text, std::u32string* out, size_t* bad_byte);

}  // namespace ts::pattern_syntax
