#include "launcher/chaos/primaries.h"

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace ts::chaos {

std::vector<PrimaryClaim> ClaimsFromBrokerLog(const std::string& text, const std::string& name) {
  static const std::regex kClaim("node ([0-9]+) is primary for term ([0-9]+)");
  std::vector<PrimaryClaim> claims;
  std::istringstream lines(text);
  std::string line;
  size_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    std::smatch match;
    if (!std::regex_search(line, match, kClaim)) continue;
    claims.push_back(PrimaryClaim{std::stoull(match[2].str()), static_cast<uint32_t>(std::stoul(match[1].str())),
                                  name + ":" + std::to_string(number)});
  }
  return claims;
}

Result<std::vector<PrimaryClaim>> ReadBrokerLog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorKind::kMalformedRequest, path + ": cannot open the broker log"};
  std::ostringstream text;
  text << in.rdbuf();
  return ClaimsFromBrokerLog(text.str(), path);
}

std::vector<PrimaryClaim> ClaimsFromHistory(const History& history, const std::string& name) {
  std::vector<PrimaryClaim> claims;
  std::set<std::pair<uint64_t, uint32_t>> seen;
  for (const Operation& op : history.ops) {
    if (op.outcome != Outcome::kOk || op.node == 0) continue;
    if (!seen.emplace(op.term, op.node).second) continue;
    claims.push_back(PrimaryClaim{op.term, op.node, name + ":" + std::to_string(op.complete_line)});
  }
  return claims;
}

std::vector<TermConflict> FindTermConflicts(const std::vector<PrimaryClaim>& claims) {
  std::map<uint64_t, std::map<uint32_t, PrimaryClaim>> by_term;
  for (const PrimaryClaim& claim : claims) by_term[claim.term].emplace(claim.node, claim);
  std::vector<TermConflict> conflicts;
  for (const auto& [term, nodes] : by_term) {
    if (nodes.size() < 2) continue;
    TermConflict conflict{term, {}};
    for (const auto& [node, claim] : nodes) conflict.claims.push_back(claim);
    conflicts.push_back(std::move(conflict));
  }
  return conflicts;
}

}  // namespace ts::chaos
