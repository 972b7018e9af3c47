// The ZAP decision: may this peer complete its handshake on this domain?
// Pure (no sockets, threads or clocks), so every rule is unit-tested.
//
// Admitted only when all hold: the domain is one of the rules', the
// mechanism is CURVE, the credentials are one 32-byte public key, that key is
// in the allow-list, and its role is one the domain admits. Everything else
// is refused, with a reason for the log. An admitted peer's user id is
// "ROLE/NAME" ("node/node-2"), which its messages then carry as "User-Id".
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/security/allow_list.h"
#include "common/security/roles.h"
#include "common/security/zap_protocol.h"

namespace ts::security {

enum class ZapOutcome {
  kAdmitted,
  kUnknownDomain,   // a socket whose domain no rule names (a wiring bug: deny)
  kNotCurve,        // NULL or PLAIN on a domain we serve
  kBadCredentials,  // not exactly one 32-byte key
  kUnknownKey,      // no allow-list has it
  kRoleRefused,     // a known key of a role this domain does not admit
};

std::string_view ZapOutcomeName(ZapOutcome outcome);  // "admitted", "unknown key", ...

struct ZapVerdict {
  ZapOutcome outcome = ZapOutcome::kUnknownKey;
  std::string reason;       // for the log: what was refused and why (no secrets: keys by fingerprint)
  std::string fingerprint;  // of the peer's public key, when it sent one
  std::string user_id;      // when admitted

  bool admitted() const { return outcome == ZapOutcome::kAdmitted; }
  ZapReply Reply(const std::string& request_id) const;
};

class ZapPolicy {
 public:
  ZapPolicy(std::span<const DomainRule> rules, AllowList keys);

  ZapVerdict Decide(const ZapRequest& request) const;

  void ReplaceKeys(AllowList keys) { keys_ = std::move(keys); }
  const AllowList& keys() const { return keys_; }
  bool HasDomain(std::string_view domain) const { return FindRule(domain) != nullptr; }
  std::vector<std::string> Domains() const;

 private:
  const DomainRule* FindRule(std::string_view domain) const;

  std::vector<DomainRule> rules_;
  AllowList keys_;
};

}  // namespace ts::security
