// Parser state shared by the grammar (pattern_parse.cpp) and the escape
// handling (pattern_escape.cpp): re._parser.State, plus sre's getwidth().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nodes/pattern_lexer.h"
#include "nodes/pattern_syntax.h"

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

// A class member or an escape outside a class, before it becomes a Node.
Node ParseEscape(Tokenizer& source, const std::u32string& escape, ParseState& state);
// Inside [...]: a literal character or a category (kClass with one item).
Node ParseClassEscape(Tokenizer& source, const std::u32string& escape);

}  // namespace ts::pattern_syntax
