// The pure half of tschaos-history: which operation a client does next
// (seeded, so a run can be repeated) and how a reply becomes the history's
// completion line (history.h).
//
// Keys are "k0".."k<K-1>"; values "v<client>n<count>", unique per write. The
// mix: 30% PUT, 25% POST, 30% GET (a fifth of them over a regex of two keys,
// e.g. "k[12]"), 15% DELETE (three in ten over a regex).
//
// Completions: a reply without error is "ok"; a reply whose error proves the
// request was refused before anything was applied (malformed, not
// implemented, too large, the broker's client limit) is "fail"; every other
// error, and no reply at all, is "unknown" (unavailable, not enough replicas,
// internal: a write may have been applied).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/status.h"
#include "launcher/chaos/history.h"
#include "schema/messages.h"

namespace ts::chaos {

std::string KeyName(int index);  // "k3"
// A Python re pattern that fullmatches exactly these keys' names.
std::string KeysRegex(const std::vector<int>& indexes);

class OpPlanner {
 public:
  OpPlanner(uint64_t seed, int client, int key_count);
  // The next invoke (process and time_ns left for the caller).
  HistoryEvent Next();

 private:
  std::mt19937_64 random_;
  int client_;
  int key_count_;
  uint64_t writes_ = 0;
};

// The request that carries out `invoke`.
Request RequestFor(const HistoryEvent& invoke);
// The completion of `invoke` for what came back (time_ns left for the caller).
HistoryEvent CompletionFor(const HistoryEvent& invoke, const Result<Reply>& reply);

}  // namespace ts::chaos
