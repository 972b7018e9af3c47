// The tuple space (SPEC section 1): an ordered map from key text to value text,
// and the four operations with their reply rules.
//
// Execute applies one client request atomically and returns its reply; for a
// write it also fills a WriteEffect, which is what the primary replicates:
// backups ApplyEffect and never run a pattern, so they cannot disagree with the
// primary about what a regex matched. Results are in key-text order. Limits are
// named in SpaceLimits; going past one is an error reply, never a crash, and
// nothing already stored changes. No sockets, threads or clocks in here.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>


#include "nodes/space/pair_store.h"
#include "nodes/pattern/pattern.h"
#include "schema/messages.h"
#include "schema/write_effect.h"

namespace ts {

struct SpaceLimits {
  size_t max_elements_per_tuple = 64;
  size_t max_element_bytes = 256;
  size_t max_pairs_per_request = 100'000;
  size_t max_pairs_per_reply = 1'000'000;
  PatternLimits pattern;
};

class TupleSpace {
 public:
  // Key text -> value text, in key order (nodes/space/pair_store.h): sorted
  // copy-on-write leaves under a B-tree index, one heap block per pair.
  using PairMap = PairStore;

  explicit TupleSpace(SpaceLimits limits = {});

  // Runs GET/PUT/POST/DELETE/TAKE (WATCH and anything else: kNotImplemented
  // naming the op; WATCH is the node's, not the space's). TAKE removes the
  // first matching pair in key order and answers it (no pair: an empty
  // reply, no effect).
  // reply.id and reply.op_name echo the request; served_by/term are left 0 for
  // the caller to fill. effect may be null; for GET and failed requests it is
  // left empty.
  Reply Execute(const Request& request, WriteEffect* effect = nullptr);

  // Whether a pair (in text form) matches the request's key and value
  // patterns, as GET would decide; an error when a pattern is malformed or
  // proves too costly on it. WATCH filters its changes with it.
  Result<bool> PairMatches(const Request& request, std::string_view key_text, std::string_view value_text);
  // The error a GET with these patterns would answer before any scan (a
  // malformed pattern), or Ok.
  Status CheckPatterns(const Request& request);

  // Applies a replicated effect (texts are trusted: they came from a primary).
  void ApplyEffect(const WriteEffect& effect);

  // Direct access for state transfer, persistence and tests.
  void Upsert(std::string_view key_text, std::string_view value_text);
  void Clear() { pairs_.clear(); }
  // Replaces every pair with `other`'s, leaving `other` empty (no copy).
  void TakePairs(TupleSpace& other) {
    pairs_.swap(other.pairs_);
    other.pairs_.clear();
  }
  size_t size() const { return pairs_.size(); }
  const PairMap& pairs() const { return pairs_; }
  const SpaceLimits& limits() const { return limits_; }

  // How many stored pairs the last GET/DELETE looked at (for tests and
  // benchmarks: shows that a literal-prefix pattern scans only its range).
  size_t last_scan_count() const { return last_scan_count_; }

 private:
  // The pairs a GET/DELETE's patterns select, or why the request fails whole.
  struct Matches {
    std::vector<PairMap::iterator> matches;
    std::optional<Error> error;
    bool more = false;  // a GET page ended at its limit with more after it
  };
  Matches Find(const Request& request);
  Reply Get(const Request& request);
  Reply Put(const Request& request, WriteEffect* effect);
  Reply Post(const Request& request, WriteEffect* effect);
  Reply Delete(const Request& request, WriteEffect* effect);
  Reply Take(const Request& request, WriteEffect* effect);

  SpaceLimits limits_;
  PairMap pairs_;
  PatternCache pattern_cache_;
  MatchScratch match_scratch_;
  size_t last_scan_count_ = 0;
};

}  // namespace ts
