// Backslash escapes, inside and outside character classes, as CPython 3.11's
// re._parser._escape and _class_escape read them; and getwidth().
//
// Named escapes \N{...} are the one thing refused that Python accepts: we have
// no Unicode name table. Python's own errors for them (missing {, missing
// name) come first, so only a well-formed \N{NAME} gets the refusal.
#include <algorithm>
#include <cstdio>
#include <string>

#include "nodes/pattern/pattern_parser.h"

namespace ts::pattern_syntax {
namespace {

Node Literal(char32_t c) {
  Node node;
  node.kind = NodeKind::kLiteral;
  node.ch = c;
  return node;
}

Node CategoryClass(Category category) {
  Node node;
  node.kind = NodeKind::kClass;
  ClassItem item;
  item.is_category = true;
  item.category = category;
  node.items.push_back(item);
  return node;
}

Node AtNode(At at) {
  Node node;
  node.kind = NodeKind::kAt;
  node.at = at;
  return node;
}

// r"\a" ... r"\\" (ESCAPES); \b is here too but CATEGORIES wins outside classes.
bool SimpleEscape(char32_t c, char32_t* value) {
  switch (c) {
    case 'a': *value = 0x07; return true;
    case 'b': *value = 0x08; return true;
    case 'f': *value = 0x0C; return true;
    case 'n': *value = 0x0A; return true;
    case 'r': *value = 0x0D; return true;
    case 't': *value = 0x09; return true;
    case 'v': *value = 0x0B; return true;
    case '\\': *value = '\\'; return true;
    default: return false;
  }
}

bool CategoryEscape(char32_t c, Category* category) {
  switch (c) {
    case 'd': *category = Category::kDigit; return true;
    case 'D': *category = Category::kNotDigit; return true;
    case 's': *category = Category::kSpace; return true;
    case 'S': *category = Category::kNotSpace; return true;
    case 'w': *category = Category::kWord; return true;
    case 'W': *category = Category::kNotWord; return true;
    default: return false;
  }
}

uint64_t ParseBase(const std::u32string& digits, uint64_t base) {
  uint64_t value = 0;
  for (char32_t c : digits) {
    uint64_t digit = IsAsciiDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
    value = value * base + digit;
  }
  return value;
}

[[noreturn]] void BadEscape(const Tokenizer& source, const std::u32string& escape) {
  source.Fail("bad escape " + ToUtf8(escape), escape.size());
}

// \x \u \U \N, shared by both contexts; false when `escape` is none of them.
bool CodeEscape(Tokenizer& source, std::u32string& escape, char32_t* value) {
  const char32_t c = escape[1];
  size_t digits = 0;
  if (c == 'x') {
    digits = 2;
  } else if (c == 'u') {
    digits = 4;
  } else if (c == 'U') {
    digits = 8;
  } else if (c == 'N') {
    if (!source.Match('{')) source.Fail("missing {");
    std::u32string name = source.GetUntil('}', "character name");
    source.Fail("named Unicode escapes (\\N{...}) are not supported: " + PythonRepr(name),
                name.size() + 4);
  } else {
    return false;
  }
  escape += source.GetWhile(static_cast<int>(digits), IsHexDigit);
  if (escape.size() != digits + 2) {
    source.Fail("incomplete escape " + ToUtf8(escape), escape.size());
  }
  uint64_t code = ParseBase(escape.substr(2), 16);
  if (code > 0x10FFFF) BadEscape(source, escape);  // chr() raises ValueError
  *value = static_cast<char32_t>(code);
  return true;
}

void AppendRepr(char32_t c, std::string* out) {
  char buffer[16];
  switch (c) {
    case '\\': *out += "\\\\"; return;
    case '\n': *out += "\\n"; return;
    case '\r': *out += "\\r"; return;
    case '\t': *out += "\\t"; return;
    default: break;
  }
  if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
    std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(c));
    *out += buffer;
  } else if (c >= 0xD800 && c <= 0xDFFF) {
    std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
    *out += buffer;
  } else {
    AppendUtf8(c, out);
  }
}

}  // namespace

std::string PythonRepr(std::u32string_view text) {
  const bool has_single = text.find(U'\'') != std::u32string_view::npos;
  const bool has_double = text.find(U'"') != std::u32string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char32_t c : text) {
    if (c == static_cast<char32_t>(quote)) out.push_back('\\');
    AppendRepr(c, &out);
  }
  out.push_back(quote);
  return out;
}

Node ParseClassEscape(Tokenizer& source, const std::u32string& token) {
  std::u32string escape = token;
  const char32_t c = escape[1];
  char32_t value = 0;
  Category category;
  if (SimpleEscape(c, &value)) return Literal(value);
  if (CategoryEscape(c, &category)) return CategoryClass(category);
  if (CodeEscape(source, escape, &value)) return Literal(value);
  if (IsOctDigit(c)) {
    escape += source.GetWhile(2, IsOctDigit);
    uint64_t code = ParseBase(escape.substr(1), 8);
    if (code > 0377) {
      source.Fail("octal escape value " + ToUtf8(escape) + " outside of range 0-0o377",
                  escape.size());
    }
    return Literal(static_cast<char32_t>(code));
  }
  if (IsAsciiDigit(c) || IsAsciiLetter(c)) BadEscape(source, escape);
  return Literal(c);
}

Node ParseEscape(Tokenizer& source, const std::u32string& token, ParseState& state) {
  std::u32string escape = token;
  const char32_t c = escape[1];
  char32_t value = 0;
  Category category;
  switch (c) {
    case 'A': return AtNode(At::kBeginningString);
    case 'b': return AtNode(At::kBoundary);
    case 'B': return AtNode(At::kNonBoundary);
    case 'Z': return AtNode(At::kEndString);
    default: break;
  }
  if (CategoryEscape(c, &category)) return CategoryClass(category);
  if (SimpleEscape(c, &value)) return Literal(value);
  if (CodeEscape(source, escape, &value)) return Literal(value);
  if (c == '0') {
    escape += source.GetWhile(2, IsOctDigit);
    return Literal(static_cast<char32_t>(ParseBase(escape.substr(1), 8)));
  }
  if (IsAsciiDigit(c)) {
    // An octal escape *or* a decimal group reference (sigh, says CPython).
    if (source.NextSatisfies(IsAsciiDigit)) {
      escape += source.Get();
      if (IsOctDigit(escape[1]) && IsOctDigit(escape[2]) && source.NextSatisfies(IsOctDigit)) {
        escape += source.Get();
        uint64_t code = ParseBase(escape.substr(1), 8);
        if (code > 0377) {
          source.Fail("octal escape value " + ToUtf8(escape) + " outside of range 0-0o377",
                      escape.size());
        }
        return Literal(static_cast<char32_t>(code));
      }
    }
    const uint64_t group = ParseBase(escape.substr(1), 10);
    if (group < state.groups()) {
      if (!state.GroupClosed(group)) source.Fail("cannot refer to an open group", escape.size());
      state.CheckLookbehindGroup(group, source);
      Node node;
      node.kind = NodeKind::kGroupRef;
      node.group = static_cast<uint32_t>(group);
      return node;
    }
    source.Fail("invalid group reference " + std::to_string(group), escape.size() - 1);
  }
  if (IsAsciiLetter(c)) BadEscape(source, escape);
  return Literal(c);
}

Width ParseState::WidthOf(const Seq& seq) const {
  auto add = [](uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; };
  auto mul = [](uint64_t a, uint64_t b) {
    return (a != 0 && b > UINT64_MAX / a) ? UINT64_MAX : a * b;
  };
  Width total;
  for (const Node& node : seq) {
    Width part;
    switch (node.kind) {
      case NodeKind::kLiteral:
      case NodeKind::kAny:
      case NodeKind::kClass:
        part = {1, 1};
        break;
      case NodeKind::kBranch: {
        part = {kMaxRepeat - 1, 0};
        for (const Seq& alternative : node.subs) {
          Width w = WidthOf(alternative);
          part.lo = std::min(part.lo, w.lo);
          part.hi = std::max(part.hi, w.hi);
        }
        break;
      }
      case NodeKind::kGroup:
      case NodeKind::kAtomic:
        part = WidthOf(node.subs[0]);
        break;
      case NodeKind::kRepeat: {
        Width w = WidthOf(node.subs[0]);
        part = {mul(w.lo, node.min), mul(w.hi, node.max)};
        break;
      }
      case NodeKind::kGroupRef:
        part = group_widths[node.group].value_or(Width{});
        break;
      case NodeKind::kGroupRefExists: {
        part = WidthOf(node.subs[0]);
        if (node.subs.size() > 1) {
          Width no = WidthOf(node.subs[1]);
          part.lo = std::min(part.lo, no.lo);
          part.hi = std::max(part.hi, no.hi);
        } else {
          part.lo = 0;
        }
        break;
      }
      case NodeKind::kAt:
      case NodeKind::kAssert:
        break;
    }
    total.lo = add(total.lo, part.lo);
    total.hi = add(total.hi, part.hi);
  }
  total.lo = std::min<uint64_t>(total.lo, kMaxRepeat - 1);
  total.hi = std::min<uint64_t>(total.hi, kMaxRepeat);
  return total;
}

}  // namespace ts::pattern_syntax
