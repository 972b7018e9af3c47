// The '(' constructs of CPython 3.11's re._parser: groups, named groups and
// references, look-around, conditionals, comments, atomic groups and inline
// flags (_parse_flags), in CPython's order of checks and with its positions.
#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "nodes/pattern/pattern_parser.h"

namespace ts::pattern_syntax {
namespace {

bool IsAsciiSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

uint32_t FlagBit(char32_t c) {
  switch (c) {
    case 'i': return kFlagIgnoreCase;
    case 'L': return kFlagLocale;
    case 'm': return kFlagMultiline;
    case 's': return kFlagDotAll;
    case 'x': return kFlagVerbose;
    case 'a': return kFlagAscii;
    case 't': return kFlagTemplate;
    case 'u': return kFlagUnicode;
    default: return 0;
  }
}
constexpr uint32_t kGlobalFlags = kFlagDebug | kFlagTemplate;

// FLAGS[char] for a token; 0 when the token is not a flag letter.
uint32_t TokenFlag(const std::u32string& token) {
  return token.size() == 1 ? FlagBit(token[0]) : 0;
}
bool TokenIsAlpha(const std::u32string& token) {
  return token.size() == 1 && IsPythonAlpha(token[0]);
}

// int(text) for a str (underscores, signs, Unicode digits and spaces
// included); nullopt where Python raises ValueError. Saturates when huge.
std::optional<int64_t> PythonInt(const std::u32string& text) {
  std::u32string ascii;
  for (char32_t c : text) {
    if (c < 127) {
      ascii += c;
    } else if (IsPythonSpace(c)) {
      ascii += U' ';
    } else {
      int digit = PythonDecimalValue(c);
      ascii += digit < 0 ? U'?' : static_cast<char32_t>('0' + digit);
    }
  }
  size_t i = 0;
  while (i < ascii.size() && IsAsciiSpace(ascii[i])) ++i;
  bool negative = false;
  if (i < ascii.size() && (ascii[i] == '+' || ascii[i] == '-')) negative = ascii[i++] == '-';
  if (i >= ascii.size() || !IsAsciiDigit(ascii[i])) return std::nullopt;
  int64_t value = 0;
  constexpr int64_t kSaturated = int64_t{1} << 40;
  while (i < ascii.size()) {
    if (ascii[i] == '_') {
      if (i + 1 >= ascii.size() || !IsAsciiDigit(ascii[i + 1])) return std::nullopt;
      ++i;
    } else if (!IsAsciiDigit(ascii[i])) {
      break;
    }
    value = std::min(kSaturated, value * 10 + static_cast<int64_t>(ascii[i] - '0'));
    ++i;
  }
  while (i < ascii.size() && IsAsciiSpace(ascii[i])) ++i;
  if (i != ascii.size()) return std::nullopt;
  return negative ? -value : value;
}

}  // namespace

// The '(' cases of _parse: groups, assertions, conditionals, comments, flags.
void Parser::ParseGroup(Seq* seq, bool* verbose, int nested, bool first, size_t start) {
  bool capture = true;
  bool atomic = false;
  std::optional<std::u32string> name;
  uint32_t add_flags = 0;
  uint32_t del_flags = 0;
  if (source_.Match('?')) {
    const std::u32string kind = source_.Get();
    if (kind.empty()) source_.Fail("unexpected end of pattern");
    if (kind == U"P") {
      if (source_.Match('<')) {
        name = source_.GetUntil('>', "group name");
        CheckGroupName(*name, 1);
      } else if (source_.Match('=')) {
        const std::u32string ref = source_.GetUntil(')', "group name");
        CheckGroupName(ref, 1);
        auto found = state_.group_names.find(ref);
        if (found == state_.group_names.end()) {
          source_.Fail("unknown group name " + PythonRepr(ref), ref.size() + 1);
        }
        if (!state_.GroupClosed(found->second)) {
          source_.Fail("cannot refer to an open group", ref.size() + 1);
        }
        state_.CheckLookbehindGroup(found->second, source_);
        Node node = MakeNode(NodeKind::kGroupRef, start);
        node.group = found->second;
        seq->push_back(std::move(node));
        return;
      } else {
        const std::u32string next = source_.Get();
        if (next.empty()) source_.Fail("unexpected end of pattern");
        source_.Fail("unknown extension ?P" + ToUtf8(next), next.size() + 2);
      }
    } else if (kind == U":") {
      capture = false;
    } else if (kind == U"#") {
      while (true) {
        if (source_.at_end()) {
          source_.Fail("missing ), unterminated comment", source_.Tell() - start);
        }
        if (source_.Get() == U")") break;
      }
      return;
    } else if (kind == U"=" || kind == U"!" || kind == U"<") {
      std::u32string direction = kind;
      const bool behind = kind == U"<";
      const std::optional<size_t> outer_lookbehind = state_.lookbehind_groups;
      if (behind) {
        direction = source_.Get();
        if (direction.empty()) source_.Fail("unexpected end of pattern");
        if (direction != U"=" && direction != U"!") {
          source_.Fail("unknown extension ?<" + ToUtf8(direction), direction.size() + 2);
        }
        if (!outer_lookbehind) state_.lookbehind_groups = state_.groups();
      }
      Seq inner = ParseNested(*verbose, nested);
      if (behind && !outer_lookbehind) state_.lookbehind_groups.reset();
      if (!source_.Match(')')) {
        source_.Fail("missing ), unterminated subpattern", source_.Tell() - start);
      }
      Node assertion = MakeNode(NodeKind::kAssert, start);
      assertion.behind = behind;
      assertion.negate = direction == U"!";
      assertion.subs.push_back(std::move(inner));
      seq->push_back(std::move(assertion));
      return;
    } else if (kind == U"(") {
      ParseConditional(seq, nested, *verbose, start);
      return;
    } else if (kind == U">") {
      capture = false;
      atomic = true;
    } else if (TokenFlag(kind) != 0 || kind == U"-") {
      auto flags = ParseFlags(kind);
      if (!flags) {  // global flags
        if (!first || !seq->empty()) {
          source_.Fail("global flags not at the start of the expression",
                       source_.Tell() - start);
        }
        *verbose = state_.flags & kFlagVerbose;
        return;
      }
      std::tie(add_flags, del_flags) = *flags;
      capture = false;
    } else {
      source_.Fail("unknown extension ?" + ToUtf8(kind), kind.size() + 1);
    }
  }
  uint32_t group = 0;
  if (capture) {
    group = static_cast<uint32_t>(state_.groups());
    state_.group_widths.emplace_back();
    if (name) {
      auto [existing, inserted] = state_.group_names.emplace(*name, group);
      if (!inserted) {
        source_.Fail("redefinition of group name " + PythonRepr(*name) + " as group " +
                         std::to_string(group) + "; was group " +
                         std::to_string(existing->second),
                     name->size() + 1);
      }
    }
  }
  const bool sub_verbose = (*verbose || (add_flags & kFlagVerbose)) && !(del_flags & kFlagVerbose);
  Seq inner = ParseNested(sub_verbose, nested);
  if (!source_.Match(')')) source_.Fail("missing ), unterminated subpattern", source_.Tell() - start);
  if (group != 0) state_.group_widths[group] = state_.WidthOf(inner);
  Node node = MakeNode(atomic ? NodeKind::kAtomic : NodeKind::kGroup, start);
  node.group = group;
  node.add_flags = add_flags;
  node.del_flags = del_flags;
  node.subs.push_back(std::move(inner));
  seq->push_back(std::move(node));
}

// (?(id/name)yes|no)
void Parser::ParseConditional(Seq* seq, int nested, bool verbose, size_t start) {
  const std::u32string name = source_.GetUntil(')', "group name");
  uint64_t group = 0;
  if (IsPythonIdentifier(name)) {
    auto found = state_.group_names.find(name);
    if (found == state_.group_names.end()) {
      source_.Fail("unknown group name " + PythonRepr(name), name.size() + 1);
    }
    group = found->second;
  } else {
    std::optional<int64_t> number = PythonInt(name);
    if (!number || *number < 0) {
      source_.Fail("bad character in group name " + PythonRepr(name), name.size() + 1);
    }
    if (*number == 0) source_.Fail("bad group number", name.size() + 1);
    group = static_cast<uint64_t>(*number);
    if (group >= kMaxGroups) {
      source_.Fail("invalid group reference " + std::to_string(group), name.size() + 1);
    }
    bool seen = false;
    for (const auto& entry : state_.groupref_positions) seen = seen || entry.first == group;
    if (!seen) state_.groupref_positions.emplace_back(group, source_.Tell() - name.size() - 1);
  }
  state_.CheckLookbehindGroup(group, source_);
  EnterNesting();
  Node node = MakeNode(NodeKind::kGroupRefExists, start);
  node.group = static_cast<uint32_t>(group);
  node.subs.push_back(ParseSeq(verbose, nested + 1, false));
  if (source_.Match('|')) {
    node.subs.push_back(ParseSeq(verbose, nested + 1, false));
    if (source_.NextIs('|')) source_.Fail("conditional backref with more than two branches");
  }
  --depth_;
  if (!source_.Match(')')) source_.Fail("missing ), unterminated subpattern", source_.Tell() - start);
  seq->push_back(std::move(node));
}

// _parse_flags: nullopt for global flags "(?i)", else (added, removed).
std::optional<std::pair<uint32_t, uint32_t>> Parser::ParseFlags(std::u32string token) {
  uint32_t add_flags = 0;
  uint32_t del_flags = 0;
  if (token != U"-") {
    while (true) {
      const uint32_t flag = TokenFlag(token);
      if (flag == kFlagLocale) {
        source_.Fail("bad inline flags: cannot use 'L' flag with a str pattern");
      }
      add_flags |= flag;
      if ((flag & kTypeFlags) && (add_flags & kTypeFlags) != flag) {
        source_.Fail("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
      }
      token = source_.Get();
      if (token.empty()) source_.Fail("missing -, : or )");
      if (token == U")" || token == U"-" || token == U":") break;
      if (TokenFlag(token) == 0) {
        source_.Fail(TokenIsAlpha(token) ? "unknown flag" : "missing -, : or )", token.size());
      }
    }
  }
  if (token == U")") {
    state_.flags |= add_flags;
    return std::nullopt;
  }
  if (add_flags & kGlobalFlags) source_.Fail("bad inline flags: cannot turn on global flag", 1);
  if (token == U"-") {
    token = source_.Get();
    if (token.empty()) source_.Fail("missing flag");
    if (TokenFlag(token) == 0) {
      source_.Fail(TokenIsAlpha(token) ? "unknown flag" : "missing flag", token.size());
    }
    while (true) {
      const uint32_t flag = TokenFlag(token);
      if (flag & kTypeFlags) {
        source_.Fail("bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
      }
      del_flags |= flag;
      token = source_.Get();
      if (token.empty()) source_.Fail("missing :");
      if (token == U":") break;
      if (TokenFlag(token) == 0) {
        source_.Fail(TokenIsAlpha(token) ? "unknown flag" : "missing :", token.size());
      }
    }
  }
  if (del_flags & kGlobalFlags) source_.Fail("bad inline flags: cannot turn off global flag", 1);
  if (add_flags & del_flags) source_.Fail("bad inline flags: flag turned on and off", 1);
  return std::make_pair(add_flags, del_flags);
}

}  // namespace ts::pattern_syntax
