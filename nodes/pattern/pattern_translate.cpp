// Writes the PCRE2 forms of a parsed Python pattern (see pattern_translate.h).
//
// The PCRE2 option state (caseless, multiline, dotall) is kept equal to
// Python's flags at every point: global flags become a leading (?ims), scoped
// flags a (?flags-flags:...) group. Python's ASCII mode has no PCRE2 option,
// so under (?a) every class is written out in ASCII and PCRE2's caseless mode
// is switched off in favour of explicit [xX] pairs.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "nodes/pattern/pattern_translate.h"

#include <pcre2.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace ts::pattern_syntax {

const uint32_t kPcre2AsciiCompileOptions =
    PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_ALT_CIRCUMFLEX | PCRE2_NEVER_BACKSLASH_C;
const uint32_t kPcre2CompileOptions =
    kPcre2AsciiCompileOptions | PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;

namespace {

// Case-insensitive letters spelled out as sets: the groups Python treats as
// one letter and PCRE2 10.42 does not (i/I/U+0130/U+0131 and three Greek and
// ligature pairs), and the non-ASCII letters whose partners are ASCII (Kelvin
// sign, long s), which the ASCII-subject form must turn into their partners.
// Found by comparing every cased code point with Python; see the tests.
const std::vector<std::vector<char32_t>>& ExtraCaseGroups() {
  static const std::vector<std::vector<char32_t>> groups = {
      {0x49, 0x69, 0x130, 0x131}, {0x4B, 0x6B, 0x212A}, {0x53, 0x73, 0x17F},
      {0x390, 0x1FD3},            {0x3B0, 0x1FE3},       {0xFB05, 0xFB06}};
  return groups;
}

const char kAsciiWord[] = "0-9A-Z_a-z";
const char kAsciiDigit[] = "0-9";
const char kAsciiSpace[] = "\\x{9}-\\x{d}\\x{20}";

bool IsAsciiAlnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void AppendCode(char32_t c, std::string* out) {
  if (IsAsciiAlnum(c)) {
    out->push_back(static_cast<char>(c));
  } else if (c > 0x20 && c < 0x7F) {
    out->push_back('\\');  // PCRE2: backslash + ASCII punctuation is that character
    out->push_back(static_cast<char>(c));
  } else {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "\\x{%x}", static_cast<unsigned>(c));
    *out += buffer;
  }
}

bool Ascii(uint32_t flags) { return flags & kFlagAscii; }
bool PcreCaseless(uint32_t flags) { return (flags & kFlagIgnoreCase) && !Ascii(flags); }
bool AsciiCaseless(uint32_t flags) { return (flags & kFlagIgnoreCase) && Ascii(flags); }

// "ims" letters of the PCRE2 options Python's flags call for.
std::string PcreOptionLetters(uint32_t flags) {
  std::string letters;
  if (PcreCaseless(flags)) letters += 'i';
  if (flags & kFlagMultiline) letters += 'm';
  if (flags & kFlagDotAll) letters += 's';
  return letters;
}

class Emitter {
 public:
  // keep_captures: false when nothing refers to a group, so groups need not
  // capture (which saves time and JIT stack on every match).
  Emitter(bool ascii_subjects, bool keep_captures)
      : ascii_subjects_(ascii_subjects), keep_captures_(keep_captures) {}

  std::string out;
  std::variant<std::monostate, SyntaxError> error;

  // A group's or the whole pattern's contents: a lone alternation needs no
  // group of its own there.
  void Body(const Seq& seq, uint32_t flags) {
    if (seq.size() == 1 && seq[0].kind == NodeKind::kBranch) {
      Alternatives(seq[0], flags);
    } else {
      Sequence(seq, flags);
    }
  }

 private:
  void Sequence(const Seq& seq, uint32_t flags) {
    for (const Node& node : seq) Emit(node, flags);
  }

  void Alternatives(const Node& branch, uint32_t flags) {
    for (size_t i = 0; i < branch.subs.size(); ++i) {
      if (i > 0) out += '|';
      Sequence(branch.subs[i], flags);
    }
  }

  void Emit(const Node& node, uint32_t flags) {
    switch (node.kind) {
      case NodeKind::kLiteral: Literal(node.ch, flags); break;
      case NodeKind::kAny: out += '.'; break;
      case NodeKind::kClass: Class(node, flags); break;
      case NodeKind::kAt: AtAssertion(node.at, flags); break;
      case NodeKind::kBranch: out += "(?:"; Alternatives(node, flags); out += ')'; break;
      case NodeKind::kGroup: Group(node, flags); break;
      case NodeKind::kAtomic: out += "(?>"; Body(node.subs[0], flags); out += ')'; break;
      case NodeKind::kRepeat: Repeat(node, flags); break;
      case NodeKind::kGroupRef: {
        std::string ref = "\\g{" + std::to_string(node.group) + "}";
        out += AsciiCaseless(flags) ? "(?i:" + ref + ")" : ref;
        break;
      }
      case NodeKind::kGroupRefExists:
        out += "(?(" + std::to_string(node.group) + ")";
        Sequence(node.subs[0], flags);
        if (node.subs.size() > 1) {
          out += '|';
          Sequence(node.subs[1], flags);
        }
        out += ')';
        break;
      case NodeKind::kAssert:
        out += node.behind ? (node.negate ? "(?<!" : "(?<=") : (node.negate ? "(?!" : "(?=");
        lookbehind_depth_ += node.behind ? 1 : 0;
        Body(node.subs[0], flags);
        lookbehind_depth_ -= node.behind ? 1 : 0;
        out += ')';
        break;
    }
  }

  void Group(const Node& node, uint32_t flags) {
    const uint32_t inner = CombineFlags(flags, node.add_flags, node.del_flags);
    if (node.group != 0 && keep_captures_) {
      out += '(';
    } else {
      const std::string before = PcreOptionLetters(flags);
      const std::string after = PcreOptionLetters(inner);
      std::string on, off;
      for (char letter : after) {
        if (before.find(letter) == std::string::npos) on += letter;
      }
      for (char letter : before) {
        if (after.find(letter) == std::string::npos) off += letter;
      }
      out += "(?" + on + (off.empty() ? "" : "-" + off) + ":";
    }
    Body(node.subs[0], inner);
    out += ')';
  }

  void Repeat(const Node& node, uint32_t flags) {
    const bool unbounded = node.max == kMaxRepeat;
    if (node.min > kPcre2MaxRepeat || (!unbounded && node.max > kPcre2MaxRepeat)) {
      error = SyntaxError{node.offset,
                          "repeat counts above " + std::to_string(kPcre2MaxRepeat) +
                              " are not supported",
                          true};
      return;
    }
    const Node& item = node.subs[0][0];
    if (lookbehind_depth_ > 0 && (node.max == 0 || node.zero_width_item)) {
      ZeroWidthRepeat(node, item, flags);
      return;
    }
    const bool wrap = item.kind == NodeKind::kAssert;  // quantified assertions: keep PCRE2 literal
    if (wrap) out += "(?:";
    Emit(item, flags);
    if (wrap) out += ')';
    if (node.min == 0 && unbounded) {
      out += '*';
    } else if (node.min == 1 && unbounded) {
      out += '+';
    } else if (node.min == 0 && node.max == 1) {
      out += '?';
    } else if (unbounded) {
      out += "{" + std::to_string(node.min) + ",}";
    } else if (node.min == node.max) {
      out += "{" + std::to_string(node.min) + "}";
    } else {
      out += "{" + std::to_string(node.min) + "," + std::to_string(node.max) + "}";
    }
    if (node.repeat == RepeatKind::kLazy) out += '?';
    if (node.repeat == RepeatKind::kPossessive) out += '+';
  }

  // Inside a look-behind PCRE2 wants every part fixed-length, and a repeat of
  // something zero-width (or a repeat at most 0 times) is zero-width to
  // Python but "not fixed length" to PCRE2; say the same thing without the
  // quantifier. x{0} keeps its groups (numbering) in a never-run DEFINE.
  void ZeroWidthRepeat(const Node& node, const Node& item, uint32_t flags) {
    if (node.max == 0) {
      out += "(?(DEFINE)";
      Emit(item, flags);
      out += ')';
      return;
    }
    out += node.repeat == RepeatKind::kPossessive ? "(?>" : "(?:";
    if (node.min == 0 && node.repeat == RepeatKind::kLazy) out += '|';
    Emit(item, flags);
    if (node.min == 0 && node.repeat != RepeatKind::kLazy) out += '|';
    out += ')';
  }

  // One character that is never in the subject: all of Unicode excluded, or
  // (for ASCII subjects) every non-ASCII byte, which they do not contain.
  std::string Never() const {
    return ascii_subjects_ ? "[^\\x00-\\x7f]" : "[^\\x{0}-\\x{10ffff}]";
  }

  void Literal(char32_t c, uint32_t flags) {
    if (PcreCaseless(flags)) {
      for (const auto& group : ExtraCaseGroups()) {
        if (std::find(group.begin(), group.end(), c) == group.end()) continue;
        std::string set;
        for (char32_t member : group) AddRange(member, member, &set);
        out += set.empty() ? Never() : "[" + set + "]";
        return;
      }
    }
    if (IsSurrogate(c) || (ascii_subjects_ && c > 0x7F)) {
      out += Never();  // a UTF-8 subject never holds a surrogate
      return;
    }
    if (AsciiCaseless(flags) && c < 0x80 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
      out += '[';
      out.push_back(static_cast<char>(c | 0x20));
      out.push_back(static_cast<char>(c & ~0x20u));
      out += ']';
      return;
    }
    AppendCode(c, &out);
  }

  void AddRange(char32_t lo, char32_t hi, std::string* set) {
    if (ascii_subjects_) {
      if (lo > 0x7F) return;
      hi = std::min<char32_t>(hi, 0x7F);
    }
    if (lo <= 0xDFFF && hi >= 0xD800) {  // drop surrogates: UTF-8 cannot hold them
      if (lo < 0xD800) AddRange(lo, 0xD7FF, set);
      if (hi > 0xDFFF) AddRange(0xE000, hi, set);
      return;
    }
    AppendCode(lo, set);
    if (hi != lo) {
      *set += '-';
      AppendCode(hi, set);
    }
  }

  // Adds [lo, hi] with whatever case partners PCRE2 would not add itself.
  void AddCasedRange(char32_t lo, char32_t hi, uint32_t flags, std::string* set) {
    AddRange(lo, hi, set);
    if (AsciiCaseless(flags)) {
      for (char32_t base : {U'A', U'a'}) {
        char32_t from = std::max<char32_t>(lo, base);
        char32_t to = std::min<char32_t>(hi, base + 25);
        if (from <= to) AddRange(from ^ 0x20, to ^ 0x20, set);
      }
    } else if (PcreCaseless(flags)) {
      for (const auto& group : ExtraCaseGroups()) {
        bool touched = false;
        for (char32_t member : group) touched = touched || (member >= lo && member <= hi);
        if (touched) {
          for (char32_t member : group) AddRange(member, member, set);
        }
      }
    }
  }

  void Class(const Node& node, uint32_t flags) {
    std::string positive;             // PCRE2 class body of the members
    std::vector<std::string> negated;  // bodies of sets the members exclude (\S, ASCII \W ...)
    for (const ClassItem& item : node.items) {
      if (!item.is_category) {
        AddCasedRange(item.lo, item.hi, flags, &positive);
        continue;
      }
      std::string body;
      bool exclude = false;
      switch (item.category) {
        case Category::kDigit:
        case Category::kNotDigit:
          exclude = item.category == Category::kNotDigit;
          body = Ascii(flags) ? kAsciiDigit : (exclude ? "\\D" : "\\d");
          exclude = exclude && Ascii(flags);
          break;
        case Category::kWord:
        case Category::kNotWord:
          exclude = item.category == Category::kNotWord;
          body = Ascii(flags) ? kAsciiWord : (exclude ? "\\W" : "\\w");
          exclude = exclude && Ascii(flags);
          break;
        case Category::kSpace:
        case Category::kNotSpace:
          exclude = item.category == Category::kNotSpace;
          if (Ascii(flags)) {
            body = kAsciiSpace;
          } else {
            for (const CodeRange& range : PythonSpaceRanges()) AddRange(range.lo, range.hi, &body);
          }
          break;
      }
      if (exclude) {
        negated.push_back(body);
      } else {
        positive += body;
      }
    }
    // Lone \d \w \D \W: the escape itself.
    if (!node.negate && negated.empty() && positive.size() == 2 && positive[0] == '\\') {
      out += positive;
      return;
    }
    const std::string in = positive.empty() ? "" : "[" + positive + "]";
    if (!node.negate) {
      if (negated.empty()) {
        out += positive.empty() ? Never() : in;
      } else if (negated.size() == 1 && positive.empty()) {
        out += "[^" + negated[0] + "]";
      } else {
        std::string alternatives = in;
        for (const std::string& body : negated) {
          alternatives += (alternatives.empty() ? "[^" : "|[^") + body + "]";
        }
        out += "(?:" + alternatives + ")";
      }
      return;
    }
    // [^...]: outside the members and inside every excluded set.
    if (negated.empty()) {
      out += positive.empty() ? "(?s:.)" : "[^" + positive + "]";
      return;
    }
    out += "(?:";
    if (!positive.empty()) out += "(?!" + in + ")";
    for (size_t i = 0; i + 1 < negated.size(); ++i) out += "(?=[" + negated[i] + "])";
    out += "[" + negated.back() + "])";
  }

  void AtAssertion(At at, uint32_t flags) {
    const std::string word = std::string("[") + kAsciiWord + "]";
    switch (at) {
      case At::kBeginning: out += '^'; break;
      case At::kBeginningString: out += "\\A"; break;
      case At::kEnd: out += '$'; break;
      case At::kEndString: out += "\\z"; break;
      case At::kBoundary:
        out += Ascii(flags) ? "(?:(?<=" + word + ")(?!" + word + ")|(?<!" + word + ")(?=" + word + "))"
                            : "\\b";
        break;
      case At::kNonBoundary:  // Python's \B never matches in an empty string
        out += "(?!\\A\\z)";
        out += Ascii(flags) ? "(?:(?<=" + word + ")(?=" + word + ")|(?<!" + word + ")(?!" + word + "))"
                            : "\\B";
        break;
    }
  }

  const bool ascii_subjects_;
  const bool keep_captures_;
  int lookbehind_depth_ = 0;
};

}  // namespace

std::variant<Translation, SyntaxError> TranslatePython(std::string_view utf8_pattern) {
  std::u32string pattern;
  size_t bad_byte = 0;
  if (!DecodeUtf8(utf8_pattern, &pattern, &bad_byte)) {
    return SyntaxError{pattern.size(),
                       "pattern is not valid UTF-8 (byte " + std::to_string(bad_byte) + ")", true};
  }
  auto parsed = ParsePythonSyntax(pattern);
  if (auto* error = std::get_if<SyntaxError>(&parsed)) return *error;
  const ParsedPattern& tree = std::get<ParsedPattern>(parsed);

  Translation translation;
  const bool keep_captures = RefersToGroups(tree.root);
  for (bool ascii_subjects : {false, true}) {
    Emitter emitter(ascii_subjects, keep_captures);
    const std::string options = PcreOptionLetters(tree.flags);
    if (!options.empty()) emitter.out = "(?" + options + ")";
    emitter.Body(tree.root, tree.flags);
    if (auto* error = std::get_if<SyntaxError>(&emitter.error)) return *error;
    (ascii_subjects ? translation.pcre2_ascii : translation.pcre2) = std::move(emitter.out);
  }
  translation.literal_prefix = LiteralPrefixOf(tree);
  const DotStar dot_star = DotStarOf(tree);
  translation.matches_everything = dot_star == DotStar::kEverything;
  translation.matches_every_single_line = dot_star != DotStar::kNone;
  return translation;
}

}  // namespace ts::pattern_syntax
