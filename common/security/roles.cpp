#include "common/security/roles.h"

namespace ts::security {

std::string_view RoleName(KeyRole role) {
  switch (role) {
    case KeyRole::kNode: return "node";
    case KeyRole::kBroker: return "broker";
    case KeyRole::kAdmin: return "admin";
    case KeyRole::kClient: return "client";
  }
  return "unknown";
}

std::optional<KeyRole> ParseRole(std::string_view name) {
  for (KeyRole role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string RoleSet::Names() const {
  std::string names;
  for (KeyRole role : kAllRoles) {
    if (!Has(role)) continue;
    if (!names.empty()) names += ", ";
    names += RoleName(role);
  }
  return names.empty() ? "no role" : names;
}

std::span<const DomainRule> ClusterDomainRules() {
  static constexpr DomainRule kRules[] = {
      {zap_domain::kNodeLink, {KeyRole::kNode, KeyRole::kBroker}, "a node's bus and state transfer"},
      {zap_domain::kNodes, {KeyRole::kNode}, "the broker's node endpoint"},
      {zap_domain::kClients, {KeyRole::kClient, KeyRole::kAdmin}, "the broker's client endpoint"},
      {zap_domain::kShutdown, {KeyRole::kAdmin}, "the broker's shutdown endpoint"},
  };
  return kRules;
}

}  // namespace ts::security
