// Python `re` pattern -> PCRE2 pattern with the same re.fullmatch verdicts
// (internal to ts_pattern; the tests use it directly).
//
// TranslatePython parses with ParsePythonSyntax (so it rejects what CPython
// 3.11 rejects, at the same position) and writes PCRE2 patterns that match a
// UTF-8 subject exactly when re.fullmatch would match the decoded str: a
// general form (UTF + Unicode properties) and a faster form for all-ASCII
// subjects (every tuple text), which is the general form with everything
// outside ASCII dropped. Where PCRE2 and Python disagree the translation
// spells Python's meaning out: \s is Python's space list, \Z is \z, \B fails
// on an empty subject, ASCII mode (?a) gets explicit ASCII classes and
// ASCII-only case folding, and the case-folding groups where PCRE2's tables
// differ from Python's become explicit sets. Named groups become numbered
// ones (so any name Python allows works), and groups nothing refers to do not
// capture. Remaining known differences (documented, not hidden): for
// non-ASCII subjects, case-insensitive back-references compare with PCRE2's
// Unicode case folding where Python uses str.lower() (they differ for a few
// letters such as U+017F, and for non-ASCII letters under (?ai)).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "nodes/pattern/pattern_syntax.h"

namespace ts::pattern_syntax {

struct Translation {
  std::string pcre2;              // PCRE2 source, to compile with kPcre2CompileOptions
  // The same for subjects that are all ASCII (every tuple text), to compile
  // with kPcre2AsciiCompileOptions: no UTF, no Unicode properties, so \d or
  // \w cost a table lookup instead of a Unicode property search (2x faster).
  std::string pcre2_ascii;
  std::string literal_prefix;     // UTF-8 text every match starts with (may be empty)
  bool matches_everything = false;       // matches every string
  bool matches_every_single_line = false;  // matches every string without '\n'
};

// Anchored at both ends, ALT_CIRCUMFLEX (Python's (?m)^ matches after a final
// newline), no \C; plus UTF, UCP and MATCH_INVALID_UTF for the general form.
extern const uint32_t kPcre2CompileOptions;
extern const uint32_t kPcre2AsciiCompileOptions;

// The longest repeat count PCRE2 accepts; Python allows up to 4294967294.
inline constexpr uint32_t kPcre2MaxRepeat = 65535;

std::variant<Translation, SyntaxError> TranslatePython(std::string_view utf8_pattern);

// Decodes strict UTF-8; on failure returns false and sets *bad_byte.
bool DecodeUtf8(std::string_view text, std::u32string* out, size_t* bad_byte);

// Shortcuts (pattern_shortcuts.cpp). The literal text every match starts with:
// literals up to the first thing that is not one (zero-width items skipped, a
// repeat contributes one pass and ends it), none under IGNORECASE or for a
// top-level alternation. Conservative: shorter is always safe.
std::string LiteralPrefixOf(const ParsedPattern& pattern);

// ".*" in any dress ((.*), (?s:.*?), .*+ ...): matching every string, or every
// string without a newline.
enum class DotStar { kNone, kSingleLine, kEverything };
DotStar DotStarOf(const ParsedPattern& pattern);

// Whether some back-reference or conditional refers to a group.
bool RefersToGroups(const Seq& seq);

}  // namespace ts::pattern_syntax
