// Compiling translated patterns with PCRE2, matching them under a budget, and
// the LRU cache (contract in pattern.h; the translation is pattern_translate).
//
// Match is the hot path of every GET scan: it calls pcre2_jit_match directly
// with match data, match context and JIT stack owned by the caller's
// MatchScratch, so it allocates nothing; its only per-call work besides the
// match is setting the match limit for the subject's length.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "nodes/pattern/pattern.h"

#include <pcre2.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <variant>

#include "nodes/pattern/pattern_translate.h"

namespace ts {
namespace {

// PCRE2 counts its own parentheses; the translation adds a few per Python
// group (classes, \b under ASCII), so allow well past Python's nesting limit.
constexpr uint32_t kPcre2ParensNestLimit = 1000;
constexpr size_t kJitStackStartBytes = 32 * 1024;

std::string Describe(const pattern_syntax::SyntaxError& error) {
  return "at offset " + std::to_string(error.offset) + ": " + error.problem;
}

// True when no byte has its top bit set (checked a word at a time).
bool IsAscii(std::string_view text) {
  const char* bytes = text.data();
  size_t left = text.size();
  uint64_t seen = 0;
  for (; left >= 8; bytes += 8, left -= 8) {
    uint64_t word;
    std::memcpy(&word, bytes, sizeof word);
    seen |= word;
  }
  for (; left > 0; ++bytes, --left) seen |= static_cast<unsigned char>(*bytes);
  return (seen & 0x8080808080808080ull) == 0;
}

// A compiled PCRE2 pattern, JIT-compiled when the platform allows.
struct Compiled {
  pcre2_code* code = nullptr;
  bool jit = false;
  std::string error;
};

Compiled CompilePcre2(const std::string& source, uint32_t options) {
  Compiled compiled;
  std::unique_ptr<pcre2_compile_context, decltype(&pcre2_compile_context_free)> context(
      pcre2_compile_context_create(nullptr), &pcre2_compile_context_free);
  if (!context) {
    compiled.error = "out of memory";
    return compiled;
  }
  pcre2_set_newline(context.get(), PCRE2_NEWLINE_LF);  // Python: only '\n' ends a line
  pcre2_set_parens_nest_limit(context.get(), kPcre2ParensNestLimit);
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  compiled.code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(), options,
                                &error_code, &error_offset, context.get());
  if (compiled.code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error_code, message, sizeof message);
    compiled.error = reinterpret_cast<const char*>(message);
    return compiled;
  }
  compiled.jit = pcre2_jit_compile(compiled.code, PCRE2_JIT_COMPLETE) == 0;
  return compiled;
}

}  // namespace

struct MatchScratch::Impl {
  pcre2_match_data* data = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* stack = nullptr;

  ~Impl() {
    pcre2_jit_stack_free(stack);
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
  }
};

MatchScratch::MatchScratch(const PatternLimits& limits) : impl_(std::make_unique<Impl>()) {
  impl_->data = pcre2_match_data_create(1, nullptr);  // fullmatch needs no captures out
  impl_->context = pcre2_match_context_create(nullptr);
  impl_->stack = pcre2_jit_stack_create(kJitStackStartBytes,
                                        std::max(limits.jit_stack_max_bytes, kJitStackStartBytes),
                                        nullptr);
  if (impl_->context != nullptr) {
    if (impl_->stack != nullptr) pcre2_jit_stack_assign(impl_->context, nullptr, impl_->stack);
    pcre2_set_depth_limit(impl_->context, limits.depth_limit);
    pcre2_set_heap_limit(impl_->context,
                         static_cast<uint32_t>(std::max<size_t>(1, limits.jit_stack_max_bytes >> 10)));
  }
}

MatchScratch::~MatchScratch() = default;

struct Pattern::Impl {
  Compiled general;  // any UTF-8 subject
  Compiled ascii;    // subjects that are all ASCII; code is null if it did not compile

  ~Impl() {
    pcre2_code_free(general.code);
    pcre2_code_free(ascii.code);
  }
};

Pattern::~Pattern() = default;

MatchOutcome Pattern::Match(std::string_view subject, MatchScratch& scratch) const {
  return MatchWith(subject, scratch, IsAscii(subject));
}

MatchOutcome Pattern::MatchAscii(std::string_view subject, MatchScratch& scratch) const {
  return MatchWith(subject, scratch, true);
}

MatchOutcome Pattern::MatchWith(std::string_view subject, MatchScratch& scratch,
                                bool subject_is_ascii) const {
  if (matches_everything_) return MatchOutcome::kMatch;
  MatchScratch::Impl& state = *scratch.impl_;
  if (state.data == nullptr || state.context == nullptr) return MatchOutcome::kTooCostly;
  const uint64_t budget =
      limits_.match_limit_base + uint64_t{limits_.match_limit_per_byte} * subject.size();
  pcre2_set_match_limit(state.context,
                        static_cast<uint32_t>(std::min<uint64_t>(budget, limits_.match_limit_max)));
  const auto* bytes = reinterpret_cast<PCRE2_SPTR>(subject.data());
  const Compiled& form =
      impl_->ascii.code != nullptr && subject_is_ascii ? impl_->ascii : impl_->general;
  const int rc = form.jit
                     ? pcre2_jit_match(form.code, bytes, subject.size(), 0, 0, state.data, state.context)
                     : pcre2_match(form.code, bytes, subject.size(), 0, 0, state.data, state.context);
  if (rc >= 0) return MatchOutcome::kMatch;  // 0: matched, ovector too small for groups
  if (rc == PCRE2_ERROR_NOMATCH) return MatchOutcome::kNoMatch;
  // Match, depth, heap or JIT-stack limit, or no memory: the budget ran out.
  return MatchOutcome::kTooCostly;
}

Result<std::shared_ptr<const Pattern>> CompilePattern(std::string_view python_pattern,
                                                      const PatternLimits& limits) {
  if (python_pattern.size() > limits.max_pattern_bytes) {
    return Error{ErrorKind::kTooLarge, "pattern is " + std::to_string(python_pattern.size()) +
                                           " bytes, more than the limit of " +
                                           std::to_string(limits.max_pattern_bytes)};
  }
  auto translated = pattern_syntax::TranslatePython(python_pattern);
  if (auto* error = std::get_if<pattern_syntax::SyntaxError>(&translated)) {
    return Error{ErrorKind::kMalformedPattern, Describe(*error)};
  }
  auto& translation = std::get<pattern_syntax::Translation>(translated);

  auto impl = std::make_unique<Pattern::Impl>();
  impl->general = CompilePcre2(translation.pcre2, pattern_syntax::kPcre2CompileOptions);
  if (impl->general.code == nullptr) {
    return Error{ErrorKind::kMalformedPattern,
                 "valid in Python but not supported by the matching engine: " + impl->general.error};
  }
  impl->ascii = CompilePcre2(translation.pcre2_ascii, pattern_syntax::kPcre2AsciiCompileOptions);
  std::shared_ptr<Pattern> pattern(new Pattern());
  pattern->impl_ = std::move(impl);
  pattern->python_source_ = std::string(python_pattern);
  pattern->pcre2_source_ = std::move(translation.pcre2);
  pattern->literal_prefix_ = std::move(translation.literal_prefix);
  pattern->matches_everything_ = translation.matches_everything;
  pattern->matches_every_single_line_ = translation.matches_every_single_line;
  pattern->limits_ = limits;
  return std::shared_ptr<const Pattern>(std::move(pattern));
}

Result<std::string> TranslatePythonPattern(std::string_view python_pattern) {
  auto translated = pattern_syntax::TranslatePython(python_pattern);
  if (auto* error = std::get_if<pattern_syntax::SyntaxError>(&translated)) {
    return Error{ErrorKind::kMalformedPattern, Describe(*error)};
  }
  return std::move(std::get<pattern_syntax::Translation>(translated).pcre2);
}

PatternCache::PatternCache(const PatternLimits& limits) : limits_(limits) {}

Result<std::shared_ptr<const Pattern>> PatternCache::Get(std::string_view python_pattern) {
  if (auto found = index_.find(python_pattern); found != index_.end()) {
    lru_.splice(lru_.begin(), lru_, found->second);
    return found->second->second;
  }
  Result<std::shared_ptr<const Pattern>> compiled = CompilePattern(python_pattern, limits_);
  // Oversized patterns are refused before any work; keeping them would only
  // let a client fill the cache with big strings.
  const bool cacheable = python_pattern.size() <= limits_.max_pattern_bytes;
  if (limits_.cache_capacity == 0 || !cacheable) return compiled;
  lru_.emplace_front(std::string(python_pattern), compiled);
  index_.emplace(std::string_view(lru_.front().first), lru_.begin());
  while (lru_.size() > limits_.cache_capacity) {
    index_.erase(std::string_view(lru_.back().first));
    lru_.pop_back();
  }
  return compiled;
}

}  // namespace ts
