// Who may talk to which endpoint: the roles a CURVE key can have and the ZAP
// domains of the cluster's server sockets, with the roles each one admits.
//
// This table is the whole access policy. A key has exactly one role (the
// folder of the cluster's key layout it sits in); a server socket names its
// domain (secure_socket.h), and the ZAP handler admits a key only when its
// role is in that domain's set. Anything not listed is refused.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ts::security {

enum class KeyRole : uint8_t { kNode, kBroker, kAdmin, kClient };

inline constexpr KeyRole kAllRoles[] = {KeyRole::kNode, KeyRole::kBroker, KeyRole::kAdmin, KeyRole::kClient};

std::string_view RoleName(KeyRole role);               // "node", "broker", "admin", "client"
std::optional<KeyRole> ParseRole(std::string_view name);

// A set of roles, as bits.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<KeyRole> roles) {
    for (KeyRole role : roles) bits_ |= Bit(role);
  }
  constexpr bool Has(KeyRole role) const { return (bits_ & Bit(role)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  std::string Names() const;  // "node, broker"

 private:
  static constexpr uint8_t Bit(KeyRole role) { return static_cast<uint8_t>(1u << static_cast<uint8_t>(role)); }
  uint8_t bits_ = 0;
};

// The ZAP domains of the cluster (ZMQ_ZAP_DOMAIN of each CURVE server socket).
namespace zap_domain {
inline constexpr std::string_view kNodeLink = "node-link";  // a node's bus PUB and state-transfer ROUTER
inline constexpr std::string_view kNodes = "nodes";         // the broker's node endpoint
inline constexpr std::string_view kClients = "clients";     // the broker's client endpoint
inline constexpr std::string_view kShutdown = "shutdown";   // the broker's shutdown endpoint
}  // namespace zap_domain

struct DomainRule {
  std::string_view domain;
  RoleSet admits;
  std::string_view serves;  // for logs and docs
};

// The cluster's policy (docs/OPERATIONS.md "Security" shows the same table):
//   node-link  admits node, broker  a node's bus and state transfer
//   nodes      admits node          the broker's node endpoint
//   clients    admits client, admin the broker's client endpoint
//   shutdown   admits admin         the broker's shutdown endpoint
// A broker may reach a node's links (issue 12: "a node admits nodes and
// brokers") so that a second broker can follow the bus; no client or admin
// key can act as a node or a broker anywhere.
std::span<const DomainRule> ClusterDomainRules();

}  // namespace ts::security
