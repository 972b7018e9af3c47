// Facts about a parsed pattern that let callers skip work: its literal
// prefix, whether it is ".*" in disguise, whether anything refers to a group;
// and strict UTF-8 decoding. See pattern_translate.h for the contracts.
#include <string>

#include "nodes/pattern/pattern_translate.h"

namespace ts::pattern_syntax {
namespace {

// Appends to *prefix the text every match of seq starts with; true when seq
// matches exactly that text and nothing else (so what follows may add more).
// Zero-width items are skipped: they consume nothing.
bool LiteralPrefix(const Seq& seq, uint32_t flags, std::string* prefix) {
  for (const Node& node : seq) {
    switch (node.kind) {
      case NodeKind::kLiteral:
        if ((flags & kFlagIgnoreCase) || IsSurrogate(node.ch)) return false;
        AppendUtf8(node.ch, prefix);
        break;
      case NodeKind::kAt:
      case NodeKind::kAssert:
        break;
      case NodeKind::kGroup:
        if (!LiteralPrefix(node.subs[0], CombineFlags(flags, node.add_flags, node.del_flags),
                           prefix)) {
          return false;
        }
        break;
      case NodeKind::kAtomic:
        if (!LiteralPrefix(node.subs[0], flags, prefix)) return false;
        break;
      case NodeKind::kRepeat:  // at least one pass: its prefix, and no more
        if (node.min >= 1) LiteralPrefix(node.subs[0], flags, prefix);
        return false;
      default:
        return false;
    }
  }
  return true;
}

DotStar DotStarIn(const Seq& seq, uint32_t flags) {
  if (seq.size() != 1) return DotStar::kNone;
  const Node& node = seq[0];
  if (node.kind == NodeKind::kGroup) {
    return DotStarIn(node.subs[0], CombineFlags(flags, node.add_flags, node.del_flags));
  }
  if (node.kind == NodeKind::kAtomic) return DotStarIn(node.subs[0], flags);
  if (node.kind != NodeKind::kRepeat || node.min != 0 || node.max != kMaxRepeat) {
    return DotStar::kNone;
  }
  const Node& item = node.subs[0][0];
  if (item.kind != NodeKind::kAny) return DotStar::kNone;
  return (flags & kFlagDotAll) ? DotStar::kEverything : DotStar::kSingleLine;
}

}  // namespace

bool RefersToGroups(const Seq& seq) {
  for (const Node& node : seq) {
    if (node.kind == NodeKind::kGroupRef || node.kind == NodeKind::kGroupRefExists) return true;
    for (const Seq& sub : node.subs) {
      if (RefersToGroups(sub)) return true;
    }
  }
  return false;
}

std::string LiteralPrefixOf(const ParsedPattern& pattern) {
  std::string prefix;
  const bool top_level_branch = pattern.root.size() == 1 && pattern.root[0].kind == NodeKind::kBranch;
  if (!top_level_branch) LiteralPrefix(pattern.root, pattern.flags, &prefix);
  return prefix;
}

DotStar DotStarOf(const ParsedPattern& pattern) { return DotStarIn(pattern.root, pattern.flags); }

bool DecodeUtf8(std::string_view text, std::u32string* out, size_t* bad_byte) {
  out->clear();
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned lead = byte(i);
    size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    char32_t c = length == 1 ? lead : length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
    bool ok = length != 0 && lead < 0xF5 && i + length <= text.size();
    for (size_t k = 1; ok && k < length; ++k) {
      ok = (byte(i + k) & 0xC0) == 0x80;
      c = (c << 6) | (byte(i + k) & 0x3F);
    }
    static const char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    ok = ok && c >= kSmallest[length] && c <= 0x10FFFF && !IsSurrogate(c);
    if (!ok) {
      *bad_byte = i;
      return false;
    }
    out->push_back(c);
    i += length;
  }
  return true;
}

}  // namespace ts::pattern_syntax
