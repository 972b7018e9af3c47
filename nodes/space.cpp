#include "nodes/space.h"

#include <set>

#include <fmt/format.h>

namespace ts {

bool operator==(const WriteEffect& a, const WriteEffect& b) {
  return a.upserts == b.upserts && a.erased_keys == b.erased_keys;
}

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
    case Op::kOther: break;
  }
  return ErrorReply(request, ErrorKind::kNotImplemented,
                    fmt::format("operation '{}' is not implemented (known: GET, PUT, POST, DELETE)",
                                request.op_name));
}

namespace {

using PairMap = TupleSpace::PairMap;

// Matching is shared by GET and DELETE: it collects the matching keys, or
// fails as a whole (so a DELETE whose pattern proves too costly removes nothing).
struct ScanOutcome {
  std::vector<PairMap::iterator> matches;
  std::optional<Error> error;
};

std::optional<Error> CompileBoth(PatternCache& cache, const Request& request,
                                 std::shared_ptr<const Pattern>& key_pattern,
                                 std::shared_ptr<const Pattern>& value_pattern) {
  auto key = cache.Get(request.key_pattern);
  if (!key.ok()) {
    return Error{key.error().kind, "key pattern: " + key.error().message};
  }
  auto value = cache.Get(request.value_pattern);
  if (!value.ok()) {
    return Error{value.error().kind, "value pattern: " + value.error().message};
  }
  key_pattern = key.value();
  value_pattern = value.value();
  return std::nullopt;
}

}  // namespace

static ScanOutcome Scan(PairMap& pairs,
                        const Pattern& key_pattern, const Pattern& value_pattern,
                        MatchScratch& scratch, size_t max_matches, size_t& scanned) {
  ScanOutcome outcome;
  const std::string& prefix = key_pattern.literal_prefix();
  auto it = prefix.empty() ? pairs.begin() : pairs.lower_bound(prefix);
  // Stored texts are well-formed tuples, so they never hold a newline: a
  // pattern that matches every single line (".*") matches every one of them.
  const bool any_key =
      key_pattern.matches_everything() || key_pattern.matches_every_single_line();
  const bool any_value =
      value_pattern.matches_everything() || value_pattern.matches_every_single_line();
  scanned = 0;
  for (; it != pairs.end(); ++it) {
    if (!prefix.empty() && !HasPrefix(it->first, prefix)) break;
    ++scanned;
    if (!any_key) {
      MatchOutcome key_match = key_pattern.Match(it->first, scratch);
      if (key_match == MatchOutcome::kNoMatch) continue;
      if (key_match == MatchOutcome::kTooCostly) {
        outcome.error = Error{ErrorKind::kPatternTooCostly,
                              fmt::format("key pattern '{}' hit the match limit on key '{}'",
                                          key_pattern.python_source(), it->first)};
        return outcome;
      }
    }
    if (!any_value) {
      MatchOutcome value_match = value_pattern.Match(it->second, scratch);
      if (value_match == MatchOutcome::kNoMatch) continue;
      if (value_match == MatchOutcome::kTooCostly) {
        outcome.error = Error{ErrorKind::kPatternTooCostly,
                              fmt::format("value pattern '{}' hit the match limit on value '{}'",
                                          value_pattern.python_source(), it->second)};
        return outcome;
      }
    }
    if (outcome.matches.size() == max_matches) {
      outcome.error = Error{ErrorKind::kTooLarge,
                            fmt::format("more than {} pairs match; narrow the patterns", max_matches)};
      return outcome;
    }
    outcome.matches.push_back(it);
  }
  return outcome;
}

Reply TupleSpace::Get(const Request& request) {
  std::shared_ptr<const Pattern> key_pattern, value_pattern;
  if (auto error = CompileBoth(pattern_cache_, request, key_pattern, value_pattern)) {
    return ErrorReply(request, error->kind, error->message);
  }
  ScanOutcome scan = Scan(pairs_, *key_pattern, *value_pattern, match_scratch_,
                          limits_.max_pairs_per_reply, last_scan_count_);
  if (scan.error) return ErrorReply(request, scan.error->kind, scan.error->message);
  Reply reply = ReplyTo(request);
  reply.pairs.reserve(scan.matches.size());
  for (auto it : scan.matches) {
    reply.pairs.push_back(Pair{SplitTupleText(it->first), SplitTupleText(it->second)});
  }
  return reply;
}

Reply TupleSpace::Delete(const Request& request, WriteEffect* effect) {
  std::shared_ptr<const Pattern> key_pattern, value_pattern;
  if (auto error = CompileBoth(pattern_cache_, request, key_pattern, value_pattern)) {
    return ErrorReply(request, error->kind, error->message);
  }
  ScanOutcome scan = Scan(pairs_, *key_pattern, *value_pattern, match_scratch_,
                          limits_.max_pairs_per_reply, last_scan_count_);
  if (scan.error) return ErrorReply(request, scan.error->kind, scan.error->message);
  Reply reply = ReplyTo(request);
  reply.pairs.reserve(scan.matches.size());
  std::vector<std::string> erased_keys;
  erased_keys.reserve(scan.matches.size());
  for (auto it : scan.matches) {
    reply.pairs.push_back(Pair{SplitTupleText(it->first), SplitTupleText(it->second)});
    erased_keys.push_back(it->first);
  }
  // Erase only after reading: a B-tree erase invalidates the other iterators.
  for (const std::string& key : erased_keys) pairs_.erase(key);
  if (effect != nullptr) effect->erased_keys = std::move(erased_keys);
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
      it->second = std::move(value_text);
    } else {
      pairs.emplace_hint(it, std::move(key_text), std::move(value_text));
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

void TupleSpace::Upsert(std::string key_text, std::string value_text) {
  pairs_.insert_or_assign(std::move(key_text), std::move(value_text));
}

}  // namespace ts
