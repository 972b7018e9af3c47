// The parsed form of a Python `re` pattern (internal to ts_pattern).
//
// ParsePythonSyntax is a port of CPython 3.11's re._parser plus the checks
// re._compiler makes (look-behind width, template flag): it accepts exactly
// the str patterns CPython accepts and, for the ones it rejects, reports the
// same problem at the same position (error.pos, counted in characters). The
// tree it builds mirrors sre's opcodes, so the translator can decide
// semantics node by node. The only deliberate refusals of patterns Python
// accepts are listed in kUnsupported* messages (named \N{...} escapes, repeat
// counts above PCRE2's 65535, nesting deeper than kMaxNesting).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ts::pattern_syntax {

// Python's flag bits (re.TEMPLATE, re.IGNORECASE, ...), same values as sre.
inline constexpr uint32_t kFlagTemplate = 1;
inline constexpr uint32_t kFlagIgnoreCase = 2;
inline constexpr uint32_t kFlagLocale = 4;
inline constexpr uint32_t kFlagMultiline = 8;
inline constexpr uint32_t kFlagDotAll = 16;
inline constexpr uint32_t kFlagUnicode = 32;
inline constexpr uint32_t kFlagVerbose = 64;
inline constexpr uint32_t kFlagDebug = 128;
inline constexpr uint32_t kFlagAscii = 256;
inline constexpr uint32_t kTypeFlags = kFlagAscii | kFlagLocale | kFlagUnicode;

inline bool IsSurrogate(char32_t c) { return c >= 0xD800 && c <= 0xDFFF; }

// The flags inside (?add-del:...): re._compiler._combine_flags.
inline uint32_t CombineFlags(uint32_t flags, uint32_t add, uint32_t del) {
  if (add & kTypeFlags) flags &= ~kTypeFlags;
  return (flags | add) & ~del;
}

inline constexpr uint32_t kMaxRepeat = 4294967295u;  // _sre.MAXREPEAT: "no upper bound"
inline constexpr uint64_t kMaxGroups = 1073741823u;  // _sre.MAXGROUPS
inline constexpr int kMaxNesting = 200;              // groups inside groups (Python: ~490)

enum class Category { kDigit, kNotDigit, kSpace, kNotSpace, kWord, kNotWord };
enum class At { kBeginning, kBeginningString, kEnd, kEndString, kBoundary, kNonBoundary };
enum class RepeatKind { kGreedy, kLazy, kPossessive };

// One member of a character class: a code point range (lo == hi for one
// character) or a category escape such as \d.
struct ClassItem {
  bool is_category = false;
  char32_t lo = 0;
  char32_t hi = 0;
  Category category = Category::kDigit;
};

enum class NodeKind {
  kLiteral,         // ch
  kAny,             // .
  kClass,           // [items] / [^items]; \d, \w, \s ... outside a class too
  kAt,              // ^ $ \A \Z \b \B
  kBranch,          // subs: the alternatives
  kGroup,           // (...), (?:...), (?P<n>...), (?flags:...); subs[0]
  kAtomic,          // (?>...); subs[0]
  kRepeat,          // subs[0] repeated min..max times
  kGroupRef,        // \1, (?P=name)
  kGroupRefExists,  // (?(1)yes|no); subs[0] = yes, subs[1] = no if present
  kAssert,          // (?=...) (?!...) (?<=...) (?<!...); subs[0]
};

struct Node;
using Seq = std::vector<Node>;

struct Node {
  NodeKind kind = NodeKind::kLiteral;
  size_t offset = 0;            // where the construct starts in the pattern
  char32_t ch = 0;              // kLiteral
  At at = At::kBeginning;       // kAt
  std::vector<ClassItem> items; // kClass
  bool negate = false;          // kClass [^...]; kAssert (?! / (?<!
  bool behind = false;          // kAssert (?<= / (?<!
  uint32_t group = 0;           // kGroup capture number (0: none); kGroupRef(Exists) target
  uint32_t add_flags = 0;       // kGroup (?flags-flags:...)
  uint32_t del_flags = 0;
  uint32_t min = 0;             // kRepeat
  uint32_t max = 0;             // kRepeat; kMaxRepeat means unbounded
  RepeatKind repeat = RepeatKind::kGreedy;
  bool zero_width_item = false;  // kRepeat: subs[0] always matches the empty string
  std::vector<Seq> subs;
};

struct SyntaxError {
  size_t offset = 0;          // characters from the start of the pattern
  std::string problem;        // Python's wording where Python has one
  bool python_has_position = true;  // false where CPython's error.pos is None
};

struct ParsedPattern {
  Seq root;
  uint32_t flags = 0;         // global flags, after re._parser.fix_flags
  uint32_t group_count = 0;   // capture groups
};

std::variant<ParsedPattern, SyntaxError> ParsePythonSyntax(std::u32string_view pattern);

// Unicode facts as CPython 3.11 defines them (checked against it by the tests).
bool IsPythonSpace(char32_t c);          // str.isspace(), hence \s for str patterns
bool IsPythonAlpha(char32_t c);          // str.isalpha()
bool IsPythonIdentifier(std::u32string_view name);  // str.isidentifier()
int PythonDecimalValue(char32_t c);      // unicodedata.decimal(c), or -1

void AppendUtf8(char32_t c, std::string* out);
std::string ToUtf8(std::u32string_view text);

// The code point ranges \s matches in a str pattern (for the translator).
struct CodeRange {
  char32_t lo;
  char32_t hi;
};
const std::vector<CodeRange>& PythonSpaceRanges();

}  // namespace ts::pattern_syntax
