// At most one primary per term: every claim "node N served term T", from the
// brokers' logs (the line "node N is primary for term T" that BrokerCore
// logs when it accepts a primary, brokers/broker_core.cpp) and from the
// replies in a history (served_by, term). Two different nodes for one term
// is a split brain.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "launcher/chaos/history.h"

namespace ts::chaos {

struct PrimaryClaim {
  uint64_t term = 0;
  uint32_t node = 0;
  std::string source;  // "FILE:LINE"
};

// Every "node N is primary for term T" in `text`, wherever it sits in a line.
std::vector<PrimaryClaim> ClaimsFromBrokerLog(const std::string& text, const std::string& name);
Result<std::vector<PrimaryClaim>> ReadBrokerLog(const std::string& path);
// One claim per (term, node) that served an ok reply in `history`.
std::vector<PrimaryClaim> ClaimsFromHistory(const History& history, const std::string& name);

struct TermConflict {
  uint64_t term = 0;
  std::vector<PrimaryClaim> claims;  // the first claim of each node, two or more nodes
};

std::vector<TermConflict> FindTermConflicts(const std::vector<PrimaryClaim>& claims);

}  // namespace ts::chaos
