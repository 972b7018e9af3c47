// Every timeout and limit of the broker's core, named, in one place. tsbroker
// overrides them from flags; the simulation sets its own. (The shell's own
// limits are BrokerShellDefaults, brokers/broker_shell.h.)
#pragma once

#include <cstddef>

#include "schema/cluster_messages.h"

namespace ts::cluster {

struct BrokerDefaults {
  static constexpr size_t kMaxClients = 32;
  static constexpr Millis kClientIdleTimeout{30'000};
  static constexpr Millis kHoldTime{5'000};
  static constexpr Millis kPrimaryLiveness{300};  // node heartbeat 100 ms x 3
  // After a SHUTDOWN, ShutdownCommand goes out again this often (a node
  // heartbeat) until the nodes confirm...
  static constexpr Millis kShutdownResendInterval{100};
  // ...or this long has passed. Below a client's default attempt (2500 ms)
  // and run.sh's wait (3000 ms), so the operator hears how it ended.
  static constexpr Millis kShutdownGrace{2'000};
};

struct ShutdownConfig {
  Millis resend_interval = BrokerDefaults::kShutdownResendInterval;  // how often ShutdownCommand goes out again
  Millis grace = BrokerDefaults::kShutdownGrace;                     // longest wait for the nodes to confirm
};

struct BrokerConfig {
  // Concurrent clients; one past it is answered "service refused" and dropped.
  size_t max_clients = BrokerDefaults::kMaxClients;
  // A client with no request and no reply for this long, and none still out,
  // gives its slot back.
  Millis client_idle_timeout = BrokerDefaults::kClientIdleTimeout;
  // With no live primary, a request waits this long, then gets "unavailable".
  Millis hold_time = BrokerDefaults::kHoldTime;
  // A node (and the primary, by its primary heartbeats) is live toward the
  // broker while heard within this window.
  Millis primary_liveness = BrokerDefaults::kPrimaryLiveness;
  // How many nodes the cluster has (tsbroker --cluster-size, required). A
  // registration proves its term by the votes of a majority of THIS number;
  // one that names another size is refused (a node claiming a cluster of one
  // would otherwise be its own majority). 0: not told, so every registration
  // is refused, saying so.
  uint32_t cluster_size = 0;
  // Decode every reply body and drop ill-formed ones (counted).
  bool validate_replies = true;
  // The shutdown handshake's pace and patience (shutdown_handshake.h).
  ShutdownConfig shutdown;
};

}  // namespace ts::cluster
