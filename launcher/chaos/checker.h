// tschaos-check's verdict on one history: (a) acknowledged writes lost
// (lost_writes.h), (b) linearizability per key (linearizability.h), (c) at
// most one primary per term (primaries.h), with the faults that overlap each
// violation. Pure: the caller reads the files.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "launcher/chaos/faults.h"
#include "launcher/chaos/history.h"
#include "launcher/chaos/linearizability.h"
#include "launcher/chaos/primaries.h"

namespace ts::chaos {

// Operations of a failing window printed before the rest is summed up.
inline constexpr size_t kMaxPrintedWindowOps = 60;

struct CheckInputs {
  History history;
  std::string history_name;          // for "FILE:LINE" in the report
  std::vector<PrimaryClaim> claims;  // from the brokers' logs
  std::vector<Fault> faults;
  size_t max_states = kDefaultMaxSearchStates;
};

struct CheckReport {
  size_t ops = 0;
  size_t acknowledged = 0;  // ok operations
  size_t lost = 0;
  Verdict linearizable = Verdict::kLinearizable;  // over every key
  bool primaries_ok = true;
  size_t keys = 0;
  size_t states = 0;     // memoised WGL states over every key
  std::string details;   // one paragraph per violation, then the search's size

  bool clean() const { return lost == 0 && linearizable == Verdict::kLinearizable && primaries_ok; }
  // "check: ops=O acknowledged=A lost=L linearizable=yes|no primaries_per_term<=1|VIOLATED"
  // (linearizable=unknown when the search gave up on some key).
  std::string SummaryLine() const;
};

CheckReport RunCheck(const CheckInputs& inputs);

}  // namespace ts::chaos
