// A whole tuplestar cluster of real processes for integration tests: one
// tsbroker (or B: broker_count) and N tsnode children on free loopback ports, in a temp dir that
// holds one log file per process and each node's --save file. Their command
// lines come from a launcher::ClusterLayout (launcher/cluster_layout.h), the
// one description of a cluster the launcher and the benchmarks use too.
//
// Contract: Start() returns once a PUT and a DELETE through the broker were
// acknowledged (every wait bounded); a start that fails because a port was
// taken meanwhile is retried on fresh ports. Nodes can be killed (SIGKILL),
// stopped (SIGTERM) and restarted by id with the same flags. Who is primary is
// read from replies (Reply::served_by / term) and the broker's STATUS view.
// When the test that owns the cluster has failed, the destructor prints the
// tail of every process log, so CI output explains the failure. Not
// thread-safe: call it from the test's thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "clients/client.h"
#include "launcher/cluster_layout.h"
#include "launcher/cluster_status.h"
#include "tests/support/process.h"

namespace ts::itest {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::TempDir;
using Millis = std::chrono::milliseconds;

// Bounds for the fixture's own waits; generous, since the 2 CI cores are
// shared with other test binaries.
inline constexpr Millis kStartTimeout{30'000};
inline constexpr Millis kProcessExitTimeout{15'000};
inline constexpr Millis kFailoverTimeout{20'000};
inline constexpr Millis kCatchUpTimeout{60'000};

// Failed Catch2 assertions in the running test case (failure_listener.cpp).
int FailedAssertionsInCurrentTest();

struct ClusterOptions {
  int node_count = 3;
  int broker_count = 1;  // brokers 1..B; every node connects to each, clients get the list
  Millis heartbeat{100};
  int liveness = 3;
  size_t max_clients = 32;
  std::optional<Millis> client_idle;  // broker --client-idle-ms
  std::optional<Millis> hold;         // broker --hold-ms
  size_t min_acks = 1;
  bool save_files = true;             // each node gets --save <dir>/node-<id>.snapshot
  std::map<uint32_t, std::string> load_files;  // node id -> --load FILE
  bool data_dirs = false;             // each node gets --data-dir <dir>/node-<id>.data (durable log)
  // Orphans (if the test binary itself is killed) end after this.
  Millis broker_timeout{30'000};
  std::string log_level = "info";
  // CURVE: DIR/keys made (launcher/cluster_keys_use.h), every part --keys,
  // the fixture's clients present the cluster's client key. Off: --insecure.
  bool curve = false;
};

// One node as the broker's STATUS reply shows it ("name=value" fields), and
// the whole view: launcher/cluster_status.h.
using NodeView = launcher::NodeStatus;
using ClusterView = launcher::ClusterStatus;

struct PrimaryView {
  uint32_t id = 0;
  uint64_t term = 0;
};

// Client options for tests: an attempt outlasts the broker's hold time, so a
// request held during failover is answered (or refused) before a retry.
ClientOptions PatientClientOptions();

class Cluster {
 public:
  explicit Cluster(ClusterOptions options = {});
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Starts the broker and every node, and waits until writes are acknowledged.
  // Returns false (with why in last_error()) when it cannot.
  bool Start();
  const std::string& last_error() const { return last_error_; }

  std::string client_endpoint() const;
  std::string shutdown_endpoint() const;
  Client NewClient(ClientOptions options = PatientClientOptions()) const;
  // `options` with the cluster's client key (curve), unless it has keys of its own.
  ClientOptions WithKeys(ClientOptions options) const;
  const launcher::ClusterLayout& layout() const { return layout_; }

  // The broker's STATUS view, or nullopt when the broker does not answer.
  std::optional<ClusterView> Status() const;
  // Polls GETs until one is served by a primary other than `not_this` (0: any);
  // on timeout last_error() says what the last probe got.
  std::optional<PrimaryView> WaitForPrimary(Millis timeout, uint32_t not_this = 0) const;
  // Waits until STATUS shows `id` live and its applied seq at least the
  // primary's applied seq as seen when the wait began.
  bool WaitCaughtUp(uint32_t id, Millis timeout) const;
  // Waits until STATUS shows every running node live.
  bool WaitAllLive(Millis timeout) const;

  void Kill(uint32_t id);       // SIGKILL, then reaps it (bounded)
  std::optional<int> Terminate(uint32_t id, Millis timeout = kProcessExitTimeout);  // SIGTERM; exit code
  void Restart(uint32_t id);    // same flags; the node must not be running
  ChildProcess& node(uint32_t id) { return *nodes_.at(id); }
  ChildProcess& broker(uint32_t id = 1) { return *brokers_.at(id - 1); }
  std::vector<uint32_t> node_ids() const;

  std::string save_path(uint32_t id) const;
  std::string data_dir(uint32_t id) const;  // with data_dirs
  const TempDir& dir() const { return dir_; }
  const ClusterOptions& options() const { return options_; }

  // The last `lines` lines of every process's log, headed by its name.
  void DumpLogs(std::ostream& out, size_t lines) const;

 private:
  // The cluster on fresh free ports, with this fixture's options.
  launcher::ClusterLayout Layout() const;
  void StopAll();
  bool WaitWritesAcknowledged(Millis timeout);

  ClusterOptions options_;
  TempDir dir_;
  launcher::ClusterLayout layout_;
  std::optional<ClientCurve> client_curve_;  // with options_.curve
  std::vector<std::unique_ptr<ChildProcess>> brokers_;  // index = broker id - 1
  std::map<uint32_t, std::unique_ptr<ChildProcess>> nodes_;
  mutable std::string last_error_;  // why the last Start or wait failed
};

// The pairs of a --save file (key text -> value text), or an error message.
Result<std::map<std::string, std::string>> ReadSnapshot(const std::string& path);

// Every pair the cluster holds (GET ".*" ".*"), or the error.
Result<std::map<std::string, std::string>> ReadAll(Client& client, const std::string& key_pattern = ".*");

}  // namespace ts::itest
