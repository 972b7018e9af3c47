// The parser of Python patterns (internal): re._parser.State, sre's
// getwidth(), and the Parser class, whose grammar is split between
// pattern_parse.cpp (sequences, classes, repeats, the checks at the end) and
// pattern_parse_group.cpp (everything that starts with '('); backslash
// escapes are in pattern_escape.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nodes/pattern/pattern_lexer.h"
#include "nodes/pattern/pattern_syntax.h"

namespace ts::pattern_syntax {

// The (min, max) characters a subpattern can match, as SubPattern.getwidth()
// computes them (max saturates at kMaxRepeat).
struct Width {
  uint64_t lo = 0;
  uint64_t hi = 0;
};

struct ParseState {
  uint32_t flags = 0;
  std::vector<std::optional<Width>> group_widths{std::nullopt};  // [0]: the whole match
  std::map<std::u32string, uint32_t> group_names;
  std::optional<size_t> lookbehind_groups;
  std::vector<std::pair<uint64_t, size_t>> groupref_positions;  // conditionals, in order

  size_t groups() const { return group_widths.size(); }
  bool GroupClosed(uint64_t gid) const { return gid < groups() && group_widths[gid].has_value(); }
  void CheckLookbehindGroup(uint64_t gid, const Tokenizer& source) const {
    if (!lookbehind_groups) return;
    if (!GroupClosed(gid)) source.Fail("cannot refer to an open group");
    if (gid >= *lookbehind_groups) {
      source.Fail("cannot refer to group defined in the same lookbehind subpattern");
    }
  }
  Width WidthOf(const Seq& seq) const;
};

// _escape: an escape outside a class (literal, category, anchor, group reference).
Node ParseEscape(Tokenizer& source, const std::u32string& escape, ParseState& state);
// _class_escape: inside [...], a literal character or a category (kClass, one item).
Node ParseClassEscape(Tokenizer& source, const std::u32string& escape);

inline Node MakeNode(NodeKind kind, size_t offset) {
  Node node;
  node.kind = kind;
  node.offset = offset;
  return node;
}

class Parser {
 public:
  explicit Parser(std::u32string_view pattern) : source_(pattern) {}

  // parse() and the compile-time checks; throws ParseFailure.
  ParsedPattern Run();

 private:
  void CheckCompilable(const Seq& seq) const;
  Seq ParseSub(bool verbose, int nested);                 // _parse_sub: a|b|c
  Seq ParseSeq(bool verbose, int nested, bool first);     // _parse: up to '|' or ')'
  Node ClassMember(const std::u32string& token);
  void ParseClass(Seq* seq, size_t here);
  void ParseRepeat(Seq* seq, char32_t quantifier, size_t start);
  void ParseGroup(Seq* seq, bool* verbose, int nested, bool first, size_t start);
  void ParseConditional(Seq* seq, int nested, bool verbose, size_t start);
  std::optional<std::pair<uint32_t, uint32_t>> ParseFlags(std::u32string token);
  void CheckGroupName(const std::u32string& name, size_t offset) const;
  Seq ParseNested(bool verbose, int nested);  // a group's contents, depth-limited
  void EnterNesting();

  Tokenizer source_;
  ParseState state_;
  int depth_ = 0;
};

}  // namespace ts::pattern_syntax
