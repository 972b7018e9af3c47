#include "common/security/zap_policy.h"

#include <algorithm>

namespace ts::security {

std::string_view ZapOutcomeName(ZapOutcome outcome) {
  switch (outcome) {
    case ZapOutcome::kAdmitted: return "admitted";
    case ZapOutcome::kUnknownDomain: return "unknown domain";
    case ZapOutcome::kNotCurve: return "not CURVE";
    case ZapOutcome::kBadCredentials: return "bad credentials";
    case ZapOutcome::kUnknownKey: return "unknown key";
    case ZapOutcome::kRoleRefused: return "role refused";
  }
  return "unknown";
}

ZapReply ZapVerdict::Reply(const std::string& request_id) const {
  // The status text reaches the peer; the detail stays in our log.
  if (admitted()) return ZapReply{request_id, std::string(zap_status::kAdmitted), "OK", user_id};
  return ZapReply{request_id, std::string(zap_status::kRefused), "refused", ""};
}

ZapPolicy::ZapPolicy(std::span<const DomainRule> rules, AllowList keys)
    : rules_(rules.begin(), rules.end()), keys_(std::move(keys)) {}

const DomainRule* ZapPolicy::FindRule(std::string_view domain) const {
  auto at = std::find_if(rules_.begin(), rules_.end(), [&](const DomainRule& rule) { return rule.domain == domain; });
  return at == rules_.end() ? nullptr : &*at;
}

std::vector<std::string> ZapPolicy::Domains() const {
  std::vector<std::string> domains;
  for (const DomainRule& rule : rules_) domains.emplace_back(rule.domain);
  return domains;
}

ZapVerdict ZapPolicy::Decide(const ZapRequest& request) const {
  ZapVerdict verdict;
  const DomainRule* rule = FindRule(request.domain);
  if (rule == nullptr) {
    verdict.outcome = ZapOutcome::kUnknownDomain;
    verdict.reason = "no rule for domain '" + request.domain + "'";
    return verdict;
  }
  if (request.mechanism != "CURVE") {
    verdict.outcome = ZapOutcome::kNotCurve;
    verdict.reason = "mechanism " + request.mechanism + " on a CURVE-only domain";
    return verdict;
  }
  if (request.credentials.size() != 1 || request.credentials[0].size() != kCurveKeyBytes) {
    verdict.outcome = ZapOutcome::kBadCredentials;
    verdict.reason = "CURVE credentials are not one " + std::to_string(kCurveKeyBytes) + "-byte public key";
    return verdict;
  }
  CurveKey key{};
  std::copy(request.credentials[0].begin(), request.credentials[0].end(), key.begin());
  verdict.fingerprint = KeyFingerprint(key);
  const AllowedKey* known = keys_.Find(key);
  if (known == nullptr) {
    verdict.outcome = ZapOutcome::kUnknownKey;
    verdict.reason = "key " + verdict.fingerprint + " is in no allow-list";
    return verdict;
  }
  if (!rule->admits.Has(known->role)) {
    verdict.outcome = ZapOutcome::kRoleRefused;
    verdict.reason = "key " + verdict.fingerprint + " is " + std::string(RoleName(known->role)) + " '" + known->name +
                     "'; this domain admits " + rule->admits.Names();
    return verdict;
  }
  verdict.outcome = ZapOutcome::kAdmitted;
  verdict.user_id = std::string(RoleName(known->role)) + "/" + known->name;
  verdict.reason = "admitted " + verdict.user_id + " (" + verdict.fingerprint + ")";
  return verdict;
}

}  // namespace ts::security
