// Every limit and timeout of the launcher (tscluster), named, in one place.
// Each has a default here and can be overridden from the environment by
// TS_<NAME> (run.sh's users and the tests do), e.g.
// TS_RESTART_MAX_ATTEMPTS=10 ./run.sh up. FromEnvironment() rejects a value
// that is not a number in range, naming the variable.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"
#include "launcher/supervisor_core.h"

namespace ts::launcher {

using Seconds = std::chrono::seconds;

struct LauncherDefaults {
  static constexpr int kNodeCount = 3;                 // TS_NODES
  static constexpr int kPortBase = 5555;               // TS_PORT_BASE (broker clients; PortLayout)
  static constexpr int kMinNodeCount = 2;              // a backup is the point
  static constexpr int kMaxNodeCount = 20;
  static constexpr int kBrokerCount = 2;               // up/start --brokers: a pair, no single point of failure
  static constexpr int kMaxBrokerCount = 3;            // PortLayout::kMaxBrokers
  static constexpr int kMinPortBase = 1024;
  static constexpr Millis kNodeHeartbeat{100};         // TS_NODE_HEARTBEAT_MS: tsnode --heartbeat-ms
  static constexpr int kNodeLiveness = 3;              // TS_NODE_LIVENESS: tsnode --liveness
  static constexpr Seconds kStartTimeout{30};          // TS_START_TIMEOUT_S: until a primary serves, every node live
  static constexpr Seconds kShutdownTimeout{10};       // TS_SHUTDOWN_TIMEOUT_S: after the shutdown command
  static constexpr Millis kShutdownCommandTimeout{3'000};  // TS_SHUTDOWN_COMMAND_TIMEOUT_MS: the broker's answer
  static constexpr Seconds kStopTimeout{10};           // TS_STOP_TIMEOUT_S: after SIGTERM, before SIGKILL
  static constexpr Millis kRestartFirstDelay{500};     // TS_RESTART_FIRST_DELAY_MS: first restart after a death
  static constexpr Millis kRestartMaxDelay{8'000};     // TS_RESTART_MAX_DELAY_MS: the delay doubles up to this
  static constexpr int kRestartMaxAttempts = 5;        // TS_RESTART_MAX_ATTEMPTS: restarts in a row
  static constexpr Seconds kRestartStable{30};         // TS_RESTART_STABLE_S: up this long, the count restarts
  static constexpr Millis kSuperviseInterval{200};     // TS_SUPERVISE_INTERVAL_S: the supervisor's tick (a
                                                       //   death wakes it at once: SIGCHLD)
  static constexpr Millis kProbeTimeout{1'000};        // TS_PROBE_TIMEOUT_MS: the launcher's STATUS requests
  static constexpr Millis kSupervisorStartTimeout{5'000};  // `up` waits this beyond the background
                                                           //   supervisor's own bounded start and stop
  static constexpr Millis kControlTimeout{5'000};      // a request to the supervisor, and its answer
  static constexpr Seconds kLockTimeout{30};           // for another command to finish changing the run state
  static constexpr int kLogTailLines = 40;             // logs, and a failed start's log excerpt
  static constexpr int kStatusEventLines = 6;          // supervisor events shown by status
  static constexpr Millis kExitStatusWait{500};       // for a dead part's supervisor to record how it ended
  static constexpr Millis kReadyPollInterval{200};     // how often start and restart probe the cluster
  static constexpr Millis kExitPollInterval{100};      // how often a wait for several processes looks
};

// The values in force: the defaults, or what the environment says.
struct LauncherSettings {
  // TS_NODES and TS_PORT_BASE as typed: the defaults of --nodes and --port,
  // checked (with those flags' messages) by the commands that use them.
  std::string node_count = std::to_string(LauncherDefaults::kNodeCount);
  std::string port_base = std::to_string(LauncherDefaults::kPortBase);
  std::string data_dir;   // TS_DATA_DIR (run.sh sets it to its ./data); default ./data
  std::string build_dir;  // TS_BUILD_DIR (run.sh sets it); default: the tree tscluster is in
  Millis node_heartbeat = LauncherDefaults::kNodeHeartbeat;
  int node_liveness = LauncherDefaults::kNodeLiveness;
  Seconds start_timeout = LauncherDefaults::kStartTimeout;
  Seconds shutdown_timeout = LauncherDefaults::kShutdownTimeout;
  Millis shutdown_command_timeout = LauncherDefaults::kShutdownCommandTimeout;
  Seconds stop_timeout = LauncherDefaults::kStopTimeout;
  RestartRules restart{LauncherDefaults::kRestartFirstDelay, LauncherDefaults::kRestartMaxDelay,
                       LauncherDefaults::kRestartMaxAttempts, LauncherDefaults::kRestartStable};
  Millis supervise_interval = LauncherDefaults::kSuperviseInterval;
  Millis probe_timeout = LauncherDefaults::kProbeTimeout;
  // TS_INSECURE=1: start every part --insecure (plain text, no keys); the
  // default makes DIR/keys and runs CURVE everywhere.
  bool insecure = false;

  static Result<LauncherSettings> FromEnvironment();
};

}  // namespace ts::launcher
