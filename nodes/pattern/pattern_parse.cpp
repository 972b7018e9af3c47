// The grammar of CPython 3.11's re._parser (_parse_sub, _parse, parse), then
// the checks of re._compiler that reject a parsed pattern (look-behind width,
// the template flag); the '(' constructs are in pattern_parse_group.cpp.
// Structure, order of checks and error positions follow CPython line by line,
// so that a pattern is rejected here exactly when, and where, Python rejects
// it. Python's branch optimizations (common prefixes, branches to sets) are
// left out: they change neither what matches nor any error.
#include <algorithm>
#include <string>
#include <utility>

#include "nodes/pattern/pattern_parser.h"

namespace ts::pattern_syntax {
namespace {

bool IsVerboseSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

uint64_t DecimalSaturated(const std::u32string& digits) {
  uint64_t value = 0;
  for (char32_t c : digits) value = std::min<uint64_t>(uint64_t{1} << 40, value * 10 + (c - '0'));
  return value;
}

void AddClassMember(Node* set, const Node& member) {
  if (member.kind == NodeKind::kClass) {
    set->items.push_back(member.items[0]);
  } else {
    set->items.push_back(ClassItem{false, member.ch, member.ch, Category::kDigit});
  }
}

}  // namespace

ParsedPattern Parser::Run() {
  ParsedPattern parsed;
  parsed.root = ParseSub(state_.flags & kFlagVerbose, 0);
  // fix_flags: a str pattern is Unicode unless ASCII; both is an error.
  if ((state_.flags & kFlagAscii) && (state_.flags & kFlagUnicode)) {
    throw ParseFailure{SyntaxError{0, "ASCII and UNICODE flags are incompatible", false}};
  }
  if (!(state_.flags & kFlagAscii)) state_.flags |= kFlagUnicode;
  if (!source_.at_end()) source_.Fail("unbalanced parenthesis");
  for (const auto& [group, position] : state_.groupref_positions) {
    if (group >= state_.groups()) {
      throw ParseFailure{
          SyntaxError{position, "invalid group reference " + std::to_string(group), true}};
    }
  }
  CheckCompilable(parsed.root);
  parsed.flags = state_.flags;
  parsed.group_count = static_cast<uint32_t>(state_.groups() - 1);
  return parsed;
}

// re._compiler's rejections: repeats under the template flag, and
// look-behinds whose width is not fixed. CPython gives these no position.
void Parser::CheckCompilable(const Seq& seq) const {
  for (const Node& node : seq) {
    if (node.kind == NodeKind::kRepeat && (state_.flags & kFlagTemplate)) {
      throw ParseFailure{SyntaxError{node.offset, "internal: unsupported template operator", false}};
    }
    if (node.kind == NodeKind::kAssert && node.behind) {
      Width width = state_.WidthOf(node.subs[0]);
      if (width.lo != width.hi) {
        throw ParseFailure{SyntaxError{node.offset, "look-behind requires fixed-width pattern", false}};
      }
    }
    for (const Seq& sub : node.subs) CheckCompilable(sub);
  }
}

// _parse_sub: an alternation a|b|c.
Seq Parser::ParseSub(bool verbose, int nested) {
  std::vector<Seq> items;
  while (true) {
    items.push_back(ParseSeq(verbose, nested + 1, nested == 0 && items.empty()));
    if (!source_.Match('|')) break;
    if (nested == 0) verbose = state_.flags & kFlagVerbose;
  }
  if (items.size() == 1) return std::move(items[0]);
  Node branch = MakeNode(NodeKind::kBranch, 0);
  branch.subs = std::move(items);
  return Seq{std::move(branch)};
}

// _parse: a sequence up to '|', ')' or the end.
Seq Parser::ParseSeq(bool verbose, int nested, bool first) {
  Seq seq;
  while (!source_.at_end() && !source_.NextIs('|') && !source_.NextIs(')')) {
    const size_t start = source_.Tell();
    const std::u32string token = source_.Get();
    if (verbose && token.size() == 1 && IsVerboseSpace(token[0])) continue;
    if (verbose && token == U"#") {
      while (true) {
        std::u32string skipped = source_.Get();
        if (skipped.empty() || skipped == U"\n") break;
      }
      continue;
    }
    if (token[0] == '\\') {
      seq.push_back(ParseEscape(source_, token, state_));
      seq.back().offset = start;
      continue;
    }
    switch (token[0]) {
      case '[': ParseClass(&seq, start); break;
      case '?': case '*': case '+': case '{': ParseRepeat(&seq, token[0], start); break;
      case '.': seq.push_back(MakeNode(NodeKind::kAny, start)); break;
      case '(': ParseGroup(&seq, &verbose, nested, first, start); break;
      case '^':
      case '$': {
        Node at = MakeNode(NodeKind::kAt, start);
        at.at = token[0] == '^' ? At::kBeginning : At::kEnd;
        seq.push_back(std::move(at));
        break;
      }
      default: {
        Node literal = MakeNode(NodeKind::kLiteral, start);
        literal.ch = token[0];
        seq.push_back(std::move(literal));
      }
    }
  }
  return seq;
}

Node Parser::ClassMember(const std::u32string& token) {
  if (token[0] == '\\') return ParseClassEscape(source_, token);
  Node literal = MakeNode(NodeKind::kLiteral, 0);
  literal.ch = token[0];
  return literal;
}

void Parser::ParseClass(Seq* seq, size_t here) {
  Node set = MakeNode(NodeKind::kClass, here);
  set.negate = source_.Match('^');
  while (true) {
    const std::u32string first = source_.Get();
    if (first.empty()) source_.Fail("unterminated character set", source_.Tell() - here);
    if (first == U"]" && !set.items.empty()) break;
    const Node low = ClassMember(first);
    if (!source_.Match('-')) {
      AddClassMember(&set, low);
      continue;
    }
    const std::u32string second = source_.Get();
    if (second.empty()) source_.Fail("unterminated character set", source_.Tell() - here);
    if (second == U"]") {
      AddClassMember(&set, low);
      set.items.push_back(ClassItem{false, '-', '-', Category::kDigit});
      break;
    }
    const Node high = ClassMember(second);
    const std::string range = "bad character range " + ToUtf8(first) + "-" + ToUtf8(second);
    if (low.kind != NodeKind::kLiteral || high.kind != NodeKind::kLiteral || high.ch < low.ch) {
      source_.Fail(range, first.size() + 1 + second.size());
    }
    set.items.push_back(ClassItem{false, low.ch, high.ch, Category::kDigit});
  }
  seq->push_back(std::move(set));
}

void Parser::ParseRepeat(Seq* seq, char32_t quantifier, size_t start) {
  const size_t here = source_.Tell();
  uint32_t min = 0;
  uint32_t max = kMaxRepeat;
  if (quantifier == '?') {
    max = 1;
  } else if (quantifier == '+') {
    min = 1;
  } else if (quantifier == '{') {
    Node brace = MakeNode(NodeKind::kLiteral, start);
    brace.ch = '{';
    if (source_.NextIs('}')) {
      seq->push_back(std::move(brace));
      return;
    }
    std::u32string lo;
    std::u32string hi;
    while (source_.NextSatisfies(IsAsciiDigit)) lo += source_.Get();
    if (source_.Match(',')) {
      while (source_.NextSatisfies(IsAsciiDigit)) hi += source_.Get();
    } else {
      hi = lo;
    }
    if (!source_.Match('}')) {
      seq->push_back(std::move(brace));
      source_.Seek(here);
      return;
    }
    const SyntaxError too_large{start, "the repetition number is too large", false};
    if (!lo.empty()) {
      if (DecimalSaturated(lo) >= kMaxRepeat) throw ParseFailure{too_large};
      min = static_cast<uint32_t>(DecimalSaturated(lo));
    }
    if (!hi.empty()) {
      if (DecimalSaturated(hi) >= kMaxRepeat) throw ParseFailure{too_large};
      max = static_cast<uint32_t>(DecimalSaturated(hi));
      if (max < min) source_.Fail("min repeat greater than max repeat", source_.Tell() - here);
    }
  }
  if (seq->empty() || seq->back().kind == NodeKind::kAt) {
    source_.Fail("nothing to repeat", source_.Tell() - here + 1);
  }
  if (seq->back().kind == NodeKind::kRepeat) {
    source_.Fail("multiple repeat", source_.Tell() - here + 1);
  }
  Node repeat = MakeNode(NodeKind::kRepeat, seq->back().offset);
  repeat.min = min;
  repeat.max = max;
  repeat.repeat = source_.Match('?')   ? RepeatKind::kLazy
                  : source_.Match('+') ? RepeatKind::kPossessive
                                       : RepeatKind::kGreedy;
  repeat.subs.push_back(Seq{std::move(seq->back())});
  repeat.zero_width_item = state_.WidthOf(repeat.subs[0]).hi == 0;
  seq->back() = std::move(repeat);
}

void Parser::CheckGroupName(const std::u32string& name, size_t offset) const {
  if (!IsPythonIdentifier(name)) {
    source_.Fail("bad character in group name " + PythonRepr(name), name.size() + offset);
  }
}

void Parser::EnterNesting() {
  if (++depth_ > kMaxNesting) {
    source_.Fail("groups nested more than " + std::to_string(kMaxNesting) +
                 " deep are not supported");
  }
}

Seq Parser::ParseNested(bool verbose, int nested) {
  EnterNesting();
  Seq inner = ParseSub(verbose, nested + 1);
  --depth_;
  return inner;
}

std::variant<ParsedPattern, SyntaxError> ParsePythonSyntax(std::u32string_view pattern) {
  try {
    Parser parser(pattern);
    return parser.Run();
  } catch (const ParseFailure& failure) {
    return failure.error;
  }
}

}  // namespace ts::pattern_syntax
