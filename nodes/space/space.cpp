#include "nodes/space/space.h"

#include <algorithm>
#include <set>
#include <tuple>

#include <fmt/format.h>

namespace ts {

TupleSpace::TupleSpace(SpaceLimits limits)
    : limits_(limits), pattern_cache_(limits.pattern), match_scratch_(limits.pattern) {}

namespace {

Reply ReplyTo(const Request& request) {
  Reply reply;
  reply.id = request.id;
  reply.op_name = request.op_name;
  return reply;
}

Reply ErrorReply(const Request& request, ErrorKind kind, std::string message) {
  Reply reply = ReplyTo(request);
  reply.error = Error{kind, std::move(message)};
  return reply;
}

// Why a tuple may not be stored, or nullopt when it may.
std::optional<RejectReason> TupleProblem(const Tuple& tuple, const SpaceLimits& limits) {
  if (tuple.size() > limits.max_elements_per_tuple) return RejectReason::kTooLarge;
  for (const std::string& element : tuple) {
    if (element.size() > limits.max_element_bytes) return RejectReason::kTooLarge;
  }
  if (!IsWellFormedTuple(tuple)) return RejectReason::kMalformed;
  return std::nullopt;
}

bool HasPrefix(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

Reply TupleSpace::Execute(const Request& request, WriteEffect* effect) {
  if (effect != nullptr) *effect = WriteEffect{};
  switch (request.op()) {
    case Op::kGet: return Get(request);
    case Op::kPut: return Put(request, effect);
    case Op::kPost: return Post(request, effect);
    case Op::kDelete: return Delete(request, effect);
    case Op::kTake: return Take(request, effect);
    case Op::kWatch:
    case Op::kOther: break;
  }
  return ErrorReply(request, ErrorKind::kNotImplemented,
                    fmt::format("operation '{}' is not implemented (known: GET, PUT, POST, DELETE, TAKE, WATCH)",
                                request.op_name));
}

namespace {

using PairMap = TupleSpace::PairMap;

// One side of a GET/DELETE. A pattern made only of letters, digits and commas
// means itself in Python's re, so it is compared as text and never compiled:
// an exact-key GET costs one B-tree lookup, not a PCRE2 compile per distinct
// key (which would also churn the pattern cache).
struct TextMatcher {
  std::string_view literal;                 // the pattern, when it is plain text
  std::shared_ptr<const Pattern> pattern;   // otherwise
  bool matches_every_text = false;

  bool is_literal() const { return pattern == nullptr; }
  MatchOutcome Match(std::string_view text, MatchScratch& scratch) const {
    if (is_literal()) return text == literal ? MatchOutcome::kMatch : MatchOutcome::kNoMatch;
    if (matches_every_text) return MatchOutcome::kMatch;
    return pattern->MatchAscii(text, scratch);  // stored texts are [A-Za-z0-9,]
  }
  std::string_view source() const { return is_literal() ? literal : pattern->python_source(); }
};

bool IsPlainLiteral(std::string_view pattern) {
  if (pattern.empty()) return false;
  for (char c : pattern) {
    if (!IsAsciiAlnum(c) && c != ',') return false;
  }
  return true;
}

Result<TextMatcher> MakeMatcher(PatternCache& cache, const PatternLimits& limits,
                                std::string_view source, const char* side) {
  TextMatcher matcher;
  if (IsPlainLiteral(source) && source.size() <= limits.max_pattern_bytes) {
    matcher.literal = source;
    return matcher;
  }
  auto compiled = cache.Get(source);
  if (!compiled.ok()) {
    return Error{compiled.error().kind, std::string(side) + " pattern: " + compiled.error().message};
  }
  matcher.pattern = compiled.value();
  // Stored texts are well-formed tuples, so they never hold a newline: a
  // pattern that matches every single line (".*") matches every one of them.
  matcher.matches_every_text =
      matcher.pattern->matches_everything() || matcher.pattern->matches_every_single_line();
  return matcher;
}

// Matching is shared by GET and DELETE: it collects the matching pairs, or
// fails as a whole (so a DELETE whose pattern proves too costly removes nothing).
struct ScanOutcome {
  std::vector<PairMap::iterator> matches;
  std::optional<Error> error;
  bool more = false;  // a page ended at its limit with more matches after it
};

// Where a scan stops: at `limit` matches a page ends (more = true), at
// `max_matches` the request fails (the reply would be too large).
struct ScanBounds {
  std::string_view after_key;  // start after this key ("": at the first)
  size_t limit = 0;            // 0: no page
  size_t max_matches = 0;
};

std::optional<Error> CostlyError(const char* side, const TextMatcher& matcher,
                                 std::string_view text) {
  return Error{ErrorKind::kPatternTooCostly,
               fmt::format("{} pattern '{}' hit the match limit on {} '{}'", side,
                           matcher.source(), side, text)};
}

ScanOutcome Scan(const PairMap& pairs, const TextMatcher& key, const TextMatcher& value,
                 MatchScratch& scratch, const ScanBounds& bounds, size_t& scanned) {
  ScanOutcome outcome;
  // The keys a match can have are one key (a literal), the keys starting with
  // the pattern's literal prefix, or all of them.
  const std::string_view prefix =
      key.is_literal() ? key.literal : std::string_view(key.pattern->literal_prefix());
  auto it = prefix.empty() ? pairs.begin() : pairs.lower_bound(prefix);
  if (!bounds.after_key.empty() && (it == pairs.end() || it->key() <= bounds.after_key)) {
    it = pairs.upper_bound(bounds.after_key);
  }
  const size_t page = bounds.limit == 0 ? bounds.max_matches : std::min(bounds.limit, bounds.max_matches);
  scanned = 0;
  for (; it != pairs.end(); ++it) {
    if (!prefix.empty() && !HasPrefix(it->key(), prefix)) break;
    ++scanned;
    MatchOutcome key_match = key.Match(it->key(), scratch);
    if (key_match == MatchOutcome::kNoMatch) continue;
    if (key_match == MatchOutcome::kTooCostly) {
      outcome.error = CostlyError("key", key, it->key());
      return outcome;
    }
    MatchOutcome value_match = value.Match(it->value(), scratch);
    if (value_match == MatchOutcome::kNoMatch) continue;
    if (value_match == MatchOutcome::kTooCostly) {
      outcome.error = CostlyError("value", value, it->value());
      return outcome;
    }
    if (outcome.matches.size() == page) {
      if (bounds.limit != 0) {
        outcome.more = true;
        return outcome;
      }
      outcome.error = Error{ErrorKind::kTooLarge,
                            fmt::format("more than {} pairs match; narrow the patterns, or page with a limit",
                                        bounds.max_matches)};
      return outcome;
    }
    outcome.matches.push_back(it);
    if (key.is_literal()) break;  // one value per key
  }
  return outcome;
}

}  // namespace

Status TupleSpace::CheckPatterns(const Request& request) {
  auto key = MakeMatcher(pattern_cache_, limits_.pattern, request.key_pattern, "key");
  if (!key.ok()) return key.error();
  auto value = MakeMatcher(pattern_cache_, limits_.pattern, request.value_pattern, "value");
  if (!value.ok()) return value.error();
  return Status::Ok();
}

Result<bool> TupleSpace::PairMatches(const Request& request, std::string_view key_text,
                                     std::string_view value_text) {
  auto key = MakeMatcher(pattern_cache_, limits_.pattern, request.key_pattern, "key");
  if (!key.ok()) return key.error();
  auto value = MakeMatcher(pattern_cache_, limits_.pattern, request.value_pattern, "value");
  if (!value.ok()) return value.error();
  for (auto [matcher, text, side] : {std::tuple{&key.value(), key_text, "key"},
                                     std::tuple{&value.value(), value_text, "value"}}) {
    switch (matcher->Match(text, match_scratch_)) {
      case MatchOutcome::kMatch: break;
      case MatchOutcome::kNoMatch: return false;
      case MatchOutcome::kTooCostly: return *CostlyError(side, *matcher, text);
    }
  }
  return true;
}

TupleSpace::Matches TupleSpace::Find(const Request& request) {
  auto key = MakeMatcher(pattern_cache_, limits_.pattern, request.key_pattern, "key");
  if (!key.ok()) return {{}, key.error()};
  auto value = MakeMatcher(pattern_cache_, limits_.pattern, request.value_pattern, "value");
  if (!value.ok()) return {{}, value.error()};
  const ScanBounds bounds{request.after_key, request.limit, limits_.max_pairs_per_reply};
  ScanOutcome scan = Scan(pairs_, key.value(), value.value(), match_scratch_, bounds, last_scan_count_);
  return {std::move(scan.matches), std::move(scan.error), scan.more};
}

Reply TupleSpace::Get(const Request& request) {
  TupleSpace::Matches found = Find(request);
  if (found.error) return ErrorReply(request, found.error->kind, found.error->message);
  Reply reply = ReplyTo(request);
  reply.more = found.more;
  reply.pairs.reserve(found.matches.size());
  for (auto it : found.matches) {
    reply.pairs.push_back(Pair{SplitTupleText(it->key()), SplitTupleText(it->value())});
  }
  return reply;
}

Reply TupleSpace::Delete(const Request& request, WriteEffect* effect) {
  if (request.limit != 0 || !request.after_key.empty()) {
    return ErrorReply(request, ErrorKind::kMalformedRequest, "a limit or an after key pages a GET only, not a DELETE");
  }
  TupleSpace::Matches found = Find(request);
  if (found.error) return ErrorReply(request, found.error->kind, found.error->message);
  Reply reply = ReplyTo(request);
  reply.pairs.reserve(found.matches.size());
  std::vector<std::string> erased_keys;
  erased_keys.reserve(found.matches.size());
  for (auto it : found.matches) {
    reply.pairs.push_back(Pair{SplitTupleText(it->key()), SplitTupleText(it->value())});
    erased_keys.emplace_back(it->key());
  }
  // Erase only after reading: a B-tree erase invalidates the other iterators.
  for (const std::string& key : erased_keys) pairs_.erase(key);
  if (effect != nullptr) effect->erased_keys = std::move(erased_keys);
  return reply;
}

Reply TupleSpace::Take(const Request& request, WriteEffect* effect) {
  if (!request.after_key.empty()) {
    return ErrorReply(request, ErrorKind::kMalformedRequest, "an after key pages a GET only, not a TAKE");
  }
  Request first = request;
  first.limit = 1;  // the first match in key order; the scan stops there
  TupleSpace::Matches found = Find(first);
  if (found.error) return ErrorReply(request, found.error->kind, found.error->message);
  Reply reply = ReplyTo(request);
  if (found.matches.empty()) return reply;
  auto it = found.matches.front();
  reply.pairs.push_back(Pair{SplitTupleText(it->key()), SplitTupleText(it->value())});
  std::string key(it->key());
  pairs_.erase(key);
  if (effect != nullptr) effect->erased_keys.push_back(std::move(key));
  return reply;
}

// PUT and POST share everything but the rule on whether the key may exist.
template <bool kKeyMustExist>
static Reply WritePairs(const Request& request, const SpaceLimits& limits,
                        PairMap& pairs, WriteEffect* effect) {
  if (request.pair_list_error) {
    return ErrorReply(request, ErrorKind::kMalformedRequest,
                      "malformed pair list: " + *request.pair_list_error);
  }
  if (request.pairs.size() > limits.max_pairs_per_request) {
    return ErrorReply(request, ErrorKind::kTooLarge,
                      fmt::format("{} pairs in one request; the limit is {}",
                                  request.pairs.size(), limits.max_pairs_per_request));
  }
  Reply reply = ReplyTo(request);
  std::set<std::string, std::less<>> keys_in_request;
  for (const Pair& pair : request.pairs) {
    std::optional<RejectReason> problem = TupleProblem(pair.key, limits);
    if (!problem) problem = TupleProblem(pair.value, limits);
    if (problem) {
      reply.rejected.push_back(Rejection{pair, *problem});
      continue;
    }
    std::string key_text = TupleText(pair.key);
    if (!keys_in_request.insert(key_text).second) {
      reply.rejected.push_back(Rejection{pair, RejectReason::kRepeatedInRequest});
      continue;
    }
    auto it = pairs.find(key_text);
    const bool present = it != pairs.end();
    if (present != kKeyMustExist) {
      reply.rejected.push_back(
          Rejection{pair, kKeyMustExist ? RejectReason::kKeyAbsent : RejectReason::kKeyPresent});
      continue;
    }
    std::string value_text = TupleText(pair.value);
    if (effect != nullptr) effect->upserts.emplace_back(key_text, value_text);
    if (present) {
      pairs.set_value(it, value_text);
    } else {
      pairs.insert_new(it, key_text, value_text);
    }
  }
  return reply;
}

Reply TupleSpace::Put(const Request& request, WriteEffect* effect) {
  return WritePairs<false>(request, limits_, pairs_, effect);
}

Reply TupleSpace::Post(const Request& request, WriteEffect* effect) {
  return WritePairs<true>(request, limits_, pairs_, effect);
}

void TupleSpace::ApplyEffect(const WriteEffect& effect) {
  for (const auto& [key, value] : effect.upserts) pairs_.insert_or_assign(key, value);
  for (const std::string& key : effect.erased_keys) pairs_.erase(key);
}

void TupleSpace::Upsert(std::string_view key_text, std::string_view value_text) {
  pairs_.insert_or_assign(key_text, value_text);
}

}  // namespace ts
