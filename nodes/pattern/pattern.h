// Python `re` patterns, matched with re.fullmatch semantics through PCRE2.
//
// CompilePattern translates a Python (3.11) str pattern to PCRE2 syntax,
// accepting what Python accepts and rejecting what it rejects with Python's
// problem and position, and compiles it anchored at both ends, JIT when
// available: once for any UTF-8 subject and once for all-ASCII subjects (the
// fast path every tuple text takes). Python's re is the test oracle
// (tests/pattern, tests/data/re_oracle.py). A few things Python accepts are
// refused with a plain message rather than run differently: \N{name}
// escapes, repeat counts above 65535, groups nested deeper than 200, and
// look-behinds PCRE2 cannot run. Match never throws and is bounded: a match
// limit and a JIT stack cap every call, and a match that hits them returns
// kTooCostly instead of running on. PatternCache keeps compiled patterns (LRU)
// so a hot GET does not recompile. None of this touches sockets, threads or
// clocks; a Pattern is immutable and may be shared; MatchScratch is not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

namespace ts {

struct PatternLimits {
  size_t max_pattern_bytes = 4096;
  // Match budget, in PCRE2 match-limit units (about 2 ns each with the JIT):
  // every subject gets the base plus so much per byte, up to the cap. Linear
  // work needs 1-2 units per byte, so a 1,000,000-character (a|b)* fits, while
  // exponential backtracking on a short key stops in well under a millisecond.
  uint32_t match_limit_base = 200'000;
  uint32_t match_limit_per_byte = 32;
  uint32_t match_limit_max = 100'000'000;
  uint32_t depth_limit = 100'000;          // PCRE2 depth limit (interpreter fallback only)
  size_t jit_stack_max_bytes = 64u << 20;  // JIT stack, grows on demand to this
  size_t cache_capacity = 256;             // compiled patterns kept by PatternCache
};

enum class MatchOutcome { kMatch, kNoMatch, kTooCostly };

class Pattern;

// Per-thread reusable match state (PCRE2 match data, match context, JIT stack),
// so that Match allocates nothing. Create one per thread and pass it to every
// Match; the JIT stack's memory is reserved up front and touched on demand.
class MatchScratch {
 public:
  explicit MatchScratch(const PatternLimits& limits = {});
  ~MatchScratch();
  MatchScratch(const MatchScratch&) = delete;
  MatchScratch& operator=(const MatchScratch&) = delete;

 private:
  friend class Pattern;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Pattern {
 public:
  ~Pattern();
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;

  // re.fullmatch(python_source, subject) is not None, bounded in cost.
  MatchOutcome Match(std::string_view subject, MatchScratch& scratch) const;

  // The same, for a subject the caller knows is all ASCII (stored tuple texts
  // are): skips the per-subject check that picks the ASCII form.
  MatchOutcome MatchAscii(std::string_view subject, MatchScratch& scratch) const;

  const std::string& python_source() const { return python_source_; }
  const std::string& pcre2_source() const { return pcre2_source_; }  // general (UTF) form

  // The literal text every full match must start with ("user," for "user,\d+"),
  // empty when there is none (alternation at top level, leading meta, inline
  // flags such as (?i), ...). The store uses it to scan only that key range.
  const std::string& literal_prefix() const { return literal_prefix_; }

  // True when the pattern matches every string ("(?s).*", "(?s:.*?)" ...).
  // Only a fast path: false is always a safe answer.
  bool matches_everything() const { return matches_everything_; }

  // True when the pattern matches every string without a '\n' (".*", "(.*)"):
  // every tuple text qualifies, so the store may skip the regex for them.
  bool matches_every_single_line() const { return matches_every_single_line_; }

 private:
  MatchOutcome MatchWith(std::string_view subject, MatchScratch& scratch, bool subject_is_ascii) const;
  friend Result<std::shared_ptr<const Pattern>> CompilePattern(std::string_view, const PatternLimits&);
  Pattern() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string python_source_;
  std::string pcre2_source_;
  std::string literal_prefix_;
  bool matches_everything_ = false;
  bool matches_every_single_line_ = false;
  PatternLimits limits_;
};

// Errors: kMalformedPattern ("at offset N: <problem>", N counting characters
// as Python's error.pos does), kTooLarge past max_pattern_bytes.
Result<std::shared_ptr<const Pattern>> CompilePattern(std::string_view python_pattern,
                                                      const PatternLimits& limits = {});

// Translation alone (exposed for tests and error messages): the PCRE2 source.
Result<std::string> TranslatePythonPattern(std::string_view python_pattern);

// LRU cache of compiled patterns; malformed patterns are cached too (as their
// error) so a client repeating a bad pattern costs one lookup.
class PatternCache {
 public:
  explicit PatternCache(const PatternLimits& limits = {});
  Result<std::shared_ptr<const Pattern>> Get(std::string_view python_pattern);
  size_t size() const { return index_.size(); }

 private:
  using Entry = std::pair<std::string, Result<std::shared_ptr<const Pattern>>>;
  PatternLimits limits_;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
};

}  // namespace ts
