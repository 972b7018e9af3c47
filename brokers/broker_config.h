// Every timeout and limit of the broker, named, in one place. tsbroker
// overrides them from flags; the simulation sets its own.
#pragma once

#include <cstddef>

#include "schema/cluster_messages.h"

namespace ts::cluster {

struct BrokerDefaults {
  static constexpr size_t kMaxClients = 32;
  static constexpr Millis kClientIdleTimeout{30'000};
  static constexpr Millis kHoldTime{5'000};
  static constexpr Millis kPrimaryLiveness{300};  // node heartbeat 100 ms x 3
};

struct BrokerConfig {
  // Concurrent clients; one past it is answered "service refused" and dropped.
  size_t max_clients = BrokerDefaults::kMaxClients;
  // A client with no request and no reply for this long, and none still out,
  // gives its slot back.
  Millis client_idle_timeout = BrokerDefaults::kClientIdleTimeout;
  // With no live primary, a request waits this long, then gets "unavailable".
  Millis hold_time = BrokerDefaults::kHoldTime;
  // The primary is live toward the broker while heard within this window.
  Millis primary_liveness = BrokerDefaults::kPrimaryLiveness;
  // Decode every reply body and drop ill-formed ones (counted).
  bool validate_replies = true;
};

}  // namespace ts::cluster
