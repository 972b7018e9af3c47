// libFuzzer harness: the Python-pattern translator, the PCRE2 compile and the
// bounded matcher (nodes/pattern/pattern.h), with the cost limits on.
// Input (tests/fuzz/fuzz_input.h's PatternInput): a flags byte at the end,
// the pattern as a FuzzedDataProvider random-length string, the subject the
// rest. Flags bit 0 picks tight limits (so the kTooCostly paths run) over the
// defaults; bit 1 also compiles through a PatternCache.
// Properties: nothing throws or crashes; a compile error has its kind and
// form ("at offset N: ..." for what Python refuses, which
// TranslatePythonPattern says alike; "valid in Python but not supported" for
// what it translates but PCRE2 will not compile); Match and
// MatchAscii agree on ASCII subjects; matches_everything and
// matches_every_single_line hold for the subject when they say so; every
// match starts with literal_prefix (also tried on prefix + subject); a
// cached pattern matches alike.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "nodes/pattern/pattern.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace ts;

PatternLimits TightLimits() {
  PatternLimits limits;
  limits.max_pattern_bytes = 512;
  limits.match_limit_base = 2'000;
  limits.match_limit_per_byte = 2;
  limits.match_limit_max = 20'000;
  limits.depth_limit = 200;
  limits.jit_stack_max_bytes = 32 * 1024;
  limits.cache_capacity = 2;
  return limits;
}

bool IsAscii(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF):
// exactly the subjects a Python str can be.
bool IsValidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  for (size_t i = 0; i < size;) {
    const unsigned char lead = bytes[i];
    size_t length = 0;
    uint32_t code = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2, code = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3, code = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4, code = lead & 0x07;
    } else {
      return false;
    }
    if (i + length > size) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) return false;
      code = (code << 6) | (bytes[i + k] & 0x3F);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && code < 0x10000) || code > 0x10FFFF ||
        (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

const char* OutcomeName(MatchOutcome outcome) {
  switch (outcome) {
    case MatchOutcome::kMatch: return "match";
    case MatchOutcome::kNoMatch: return "no match";
    case MatchOutcome::kTooCostly: return "too costly";
  }
  return "?";
}

void CheckMatching(const Pattern& pattern, std::string_view subject, MatchScratch& scratch) {
  const MatchOutcome outcome = pattern.Match(subject, scratch);
  auto about = [&](const std::string& what) {
    return "pattern '" + pattern.python_source() + "' (PCRE2 '" + pattern.pcre2_source() + "') on subject '" +
           std::string(subject) + "': " + OutcomeName(outcome) + what;
  };
  if (IsAscii(subject)) {
    const MatchOutcome ascii = pattern.MatchAscii(subject, scratch);
    FUZZ_CHECK(ascii == outcome || ascii == MatchOutcome::kTooCostly || outcome == MatchOutcome::kTooCostly,
               about(std::string(", MatchAscii: ") + OutcomeName(ascii)));
  }
  if (pattern.matches_everything() && IsValidUtf8(subject)) {
    FUZZ_CHECK(outcome == MatchOutcome::kMatch, about(" (matches_everything)"));
  }
  if (pattern.matches_every_single_line() && IsValidUtf8(subject) &&
      subject.find('\n') == std::string_view::npos) {
    FUZZ_CHECK(outcome == MatchOutcome::kMatch, about(" (matches_every_single_line)"));
  }
  if (outcome == MatchOutcome::kMatch) {
    FUZZ_CHECK(subject.substr(0, pattern.literal_prefix().size()) == pattern.literal_prefix(),
               about(" without the literal prefix '" + pattern.literal_prefix() + "'"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const PatternLimits kDefaultLimits;
  static const PatternLimits kTightLimits = TightLimits();
  static MatchScratch default_scratch(kDefaultLimits);
  static MatchScratch tight_scratch(kTightLimits);

  const fuzz_input::PatternInput input = fuzz_input::PatternInput::Parse(data, size);
  const bool tight = (input.flags & fuzz_input::kPatternTightLimits) != 0;
  const PatternLimits& limits = tight ? kTightLimits : kDefaultLimits;
  MatchScratch& scratch = tight ? tight_scratch : default_scratch;

  Result<std::shared_ptr<const Pattern>> compiled = CompilePattern(input.pattern, limits);
  if (input.pattern.size() > limits.max_pattern_bytes) {
    FUZZ_CHECK(!compiled.ok() && compiled.error().kind == ErrorKind::kTooLarge, "an oversized pattern compiled");
    return 0;
  }
  if (!compiled.ok()) {
    const Error& error = compiled.error();
    FUZZ_CHECK(error.kind == ErrorKind::kMalformedPattern, error.message);
    Result<std::string> translated = TranslatePythonPattern(input.pattern);
    if (translated.ok()) {  // Python accepts it; PCRE2 or this build does not
      FUZZ_CHECK(error.message.rfind("valid in Python but not supported", 0) == 0, error.message);
    } else {
      FUZZ_CHECK(error.message.rfind("at offset ", 0) == 0, error.message);
      FUZZ_CHECK(translated.error() == error, "TranslatePythonPattern says " + translated.error().message +
                                                  ", CompilePattern " + error.message);
    }
    return 0;
  }
  const Pattern& pattern = *compiled.value();
  FUZZ_CHECK(pattern.python_source() == input.pattern, "python_source");
  CheckMatching(pattern, input.subject, scratch);
  // The literal prefix, then the subject: reaches the matching paths of
  // patterns whose prefix the fuzzer would rarely guess.
  if (!pattern.literal_prefix().empty()) CheckMatching(pattern, pattern.literal_prefix() + input.subject, scratch);

  if ((input.flags & fuzz_input::kPatternThroughCache) != 0) {
    PatternCache cache(limits);
    Result<std::shared_ptr<const Pattern>> first = cache.Get(input.pattern);
    Result<std::shared_ptr<const Pattern>> second = cache.Get(input.pattern);
    FUZZ_CHECK(first.ok() && second.ok() && first.value() == second.value(), "the cache compiled twice");
    FUZZ_CHECK(first.value()->Match(input.subject, scratch) == pattern.Match(input.subject, scratch),
               "a cached pattern matches differently");
  }
  return 0;
}
