// tsnode: one tuple-space server of a tuplestar cluster, in every role
// (primary, backup, candidate). Flags override nodes/node_config.h and
// node_shell.h; the loop is nodes/node_shell.cpp. Exit codes: 0 after a
// shutdown, the broker's loss past --broker-timeout-ms, or SIGINT/SIGTERM
// (with the space saved to --save when given); 1 when an endpoint cannot be
// bound, a socket fails, the log fails or --save cannot be written; 2 when
// the --load file is unreadable or malformed (the reason on stderr); 3 when
// --data-dir cannot be recovered (the file, the offset and what to do on
// stderr); 4 when neither --keys nor --insecure is given, or a key cannot be
// read; CLI11's code (non-zero, not 2 or 3) for a usage error.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "common/cluster_file/cluster_flags.h"
#include "nodes/node_shell.h"
#include "common/process_support.h"

namespace {

using namespace ts::cluster;

// "2,tcp://127.0.0.1:6002,tcp://127.0.0.1:7002" -> PeerAddress; the message says what is wrong.
std::optional<PeerAddress> ParsePeer(const std::string& text, std::string* why) {
  const size_t first = text.find(',');
  const size_t second = first == std::string::npos ? first : text.find(',', first + 1);
  if (second == std::string::npos || text.find(',', second + 1) != std::string::npos) {
    *why = "expected ID,BUS_ENDPOINT,TRANSFER_ENDPOINT, got \"" + text + "\"";
    return std::nullopt;
  }
  PeerAddress peer;
  const std::string id = text.substr(0, first);
  if (id.empty() || id.size() > 9 || id.find_first_not_of("0123456789") != std::string::npos || std::stoul(id) == 0) {
    *why = "peer id \"" + id + "\" is not a number >= 1 (in \"" + text + "\")";
    return std::nullopt;
  }
  peer.id = static_cast<NodeId>(std::stoul(id));
  peer.bus_endpoint = text.substr(first + 1, second - first - 1);
  peer.transfer_endpoint = text.substr(second + 1);
  if (peer.bus_endpoint.empty() || peer.transfer_endpoint.empty()) {
    *why = "an endpoint is empty in \"" + text + "\"";
    return std::nullopt;
  }
  return peer;
}

static_assert(ts::cluster_file::kNodeDefaultHeartbeat == NodeDefaults::kHeartbeatInterval &&
                  ts::cluster_file::kNodeDefaultLiveness == NodeDefaults::kLivenessHeartbeats,
              "the cluster file's broker liveness window assumes tsnode's defaults");

// The core's timeouts are multiples of the heartbeat interval; keep the ratios.
Millis Scaled(Millis default_value, Millis heartbeat) {
  return default_value * heartbeat.count() / NodeDefaults::kHeartbeatInterval.count();
}

}  // namespace

int main(int argc, char** argv) {
  NodeShellOptions options;
  std::vector<std::string> broker_texts;
  uint32_t id = 0;
  std::vector<std::string> peer_texts;
  std::string load_path, save_path;
  int64_t heartbeat_ms = NodeDefaults::kHeartbeatInterval.count();
  int liveness = NodeDefaults::kLivenessHeartbeats;
  int64_t broker_timeout_ms = NodeDefaults::kBrokerTimeout.count();
  int64_t linger_ms = options.exit_linger.count();
  std::string log_level = "info";
  std::string data_dir;
  std::string sync_mode = "always";
  uint64_t snapshot_log_bytes = kSnapshotLogBytes;

  bool inline_sync = false;
  bool inline_snapshot = false;
  bool unsafe_ack_before_replication = false;
  std::string cluster_path;
  // Defines every flag on `cli`: once for the command line, and once more with
  // the cluster file's flags added (--cluster).
  auto define = [&](CLI::App& cli) {
    cli.add_option("--cluster", cluster_path,
                   "the cluster file (docs/OPERATIONS.md \"The cluster file\"): this node's endpoints, its peers, the "
                   "brokers, its data directory and export, the keys folder and the timeouts come from node --id's "
                   "entry; any of those flags given beside it overrides the file's value");
    cli.add_option("--id", id, "this node's id, unique in the cluster (with --cluster: its entry in the file)")->required()->check(CLI::Range(1u, 1'000'000'000u));
    cli.add_option("--bus", options.bus_endpoint, "own heartbeat/replication bus (PUB, bound; required without --cluster)");
    cli.add_option("--transfer", options.transfer_endpoint, "own state-transfer endpoint (ROUTER, bound; required without --cluster)");
    cli.add_option("--peer", peer_texts, "another node: ID,BUS_ENDPOINT,TRANSFER_ENDPOINT (repeat for every other node)")
        ->take_all();
    cli.add_option("--broker", broker_texts,
                   "a broker's node endpoint (a DEALER connects); repeat it, or give a comma list, for every broker of "
                   "the cluster, broker 1 first (default: tcp://127.0.0.1:5556)")
        ->delimiter(',');
    cli.add_option("--data-dir", data_dir,
                   "this node's own durable log and snapshots (created if missing; a damaged one: exit 3). A write is "
                   "acknowledged only once it is on the disk of the primary and of the backups that ack it, and a "
                   "restarted node recovers its own history, its term and its vote. Without it the node keeps everything "
                   "in memory only: a node that crashes comes back empty, and may vote again in a term it voted in "
                   "(two crashes at the wrong moment could then elect two primaries for one term)");
    cli.add_option("--sync", sync_mode,
                   "always: one fdatasync per poll cycle before acknowledging what it wrote (group commit). none: no "
                   "fdatasync, faster, but acknowledged writes (and votes) are lost if a majority of machines lose power "
                   "together (a crash of the process alone loses nothing: the data is in the kernel's page cache)")
        ->capture_default_str()
        ->check(CLI::IsMember({"always", "none"}));
    cli.add_flag("--inline-sync", inline_sync,
                 "with --sync always: fdatasync on the poll thread, which then waits for it (by default a sync thread "
                 "does it while the loop reads the next requests and acks; an ack waits for its fsync either way)");
    cli.add_flag("--inline-snapshot", inline_snapshot,
                 "write the periodic log snapshot on the poll thread, which then stops heartbeating for as long as it "
                 "takes (~0.4 s a million pairs); by default a snapshot thread writes it from a frozen copy of the state");
    cli.add_option("--snapshot-log-bytes", snapshot_log_bytes,
                   "write a snapshot of the state after this many bytes of log (the older log is removed)")
        ->capture_default_str()
        ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 50));
    cli.add_option("--load", load_path,
                   "import the space from FILE at start (unreadable or malformed: exit 2); with --data-dir, only into "
                   "an empty data directory (a node with its own history ignores it)");
    cli.add_option("--save", save_path, "export the space to FILE (atomically) on shutdown, broker loss or SIGTERM");
    cli.add_option("--min-acks", options.core.min_acks,
                   "a write is acknowledged only once every live in-sync backup, and never fewer than this many, "
                   "hold it on disk; the floor is a majority of the configured nodes counting the primary "
                   "((peers + 1) / 2 backups): this may raise it, never lower it")
        ->capture_default_str()
        ->check(CLI::Range(size_t{0}, size_t{1'000}));
    cli.add_flag("--async", options.core.async_replies,
                 "reply to writes before backups acknowledge them: faster, but trades safety for speed "
                 "(a failover may lose acknowledged writes)");
    // TEST ONLY (issue 13 item 7): the fault campaign runs with it to show its
    // checker reports the acknowledged writes a failover then loses. The same
    // core switch as --async, named for what it breaks, and loud at start.
    cli.add_flag("--unsafe-ack-before-replication", unsafe_ack_before_replication,
                 "TEST ONLY, UNSAFE: acknowledge writes before any backup holds them (as --async), so that a "
                 "failover loses acknowledged writes; for tschaos --unsafe to show its checker catches the loss");
    cli.add_option("--heartbeat-ms", heartbeat_ms, "heartbeat interval (the core's other timeouts scale with it)")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{4}, int64_t{60'000}));
    cli.add_option("--liveness", liveness, "a node silent for this many heartbeat intervals is dead")
        ->capture_default_str()
        ->check(CLI::Range(1, 1'000));
    cli.add_option("--broker-timeout-ms", broker_timeout_ms, "no word from the broker this long: save and exit (0: wait forever)")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{0}, int64_t{365LL * 86'400'000}));
    cli.add_option("--linger-ms", linger_ms, "how long sockets may flush at exit")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{0}, int64_t{60'000}));
    cli.add_option("--keys", options.security.keys_dir,
                   "the cluster's keys folder, DIR/keys (./run.sh up or `tskeys cluster DIR` makes it): every link is "
                   "CURVE, this node presents keys/nodes/node-ID and admits node and broker keys");
    cli.add_flag("--insecure", options.security.insecure,
                 "plain text on every link, no keys: anyone who can reach a port can act as a node or read the bus");
    cli.add_option("--broker-key-id", options.broker_key_id, "the brokers' key (keys/brokers/broker-ID) every "
                   "broker link expects (the brokers of a cluster share it)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1'000'000'000u));
    cli.add_option("--metrics", options.metrics_endpoint,
                   "serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9101; port 0: any free)");
    cli.add_option("--log-level", log_level, std::string("log level: ") + kLogLevelNames)->capture_default_str();
  };
  CLI::App app{"tsnode: a tuple-space server of a tuplestar cluster (primary or backup, as elected)"};
  define(app);
  CLI11_PARSE(app, argc, argv);
  if (!cluster_path.empty()) {
    auto file = ts::cluster_file::LoadClusterFile(cluster_path);
    auto flags = file.ok() ? ts::cluster_file::NodeFlags(file.value(), id) : file.error();
    if (!flags.ok()) return app.exit(CLI::ValidationError("--cluster", flags.error().message));
    std::vector<std::string> words = ts::cluster_file::CommandLineWithFileFlags(
        argc, argv, flags.value(), [&app](const std::string& name) {
          const CLI::Option* option = app.get_option_no_throw(name);  // tsnode has no --clients-open
          return option != nullptr && option->count() > 0;
        });
    peer_texts.clear();
    broker_texts.clear();
    CLI::App again{"tsnode"};
    define(again);
    try {
      again.parse(words);
    } catch (const CLI::ParseError& error) {
      return again.exit(error);
    }
  }
  if (options.bus_endpoint.empty() || options.transfer_endpoint.empty()) {
    return app.exit(CLI::RequiredError(options.bus_endpoint.empty() ? "--bus (or --cluster FILE)"
                                                                     : "--transfer (or --cluster FILE)"));
  }

  std::set<NodeId> seen{id};
  for (const std::string& text : peer_texts) {
    std::string why;
    auto peer = ParsePeer(text, &why);
    if (peer && !seen.insert(peer->id).second) {
      why = "node id " + std::to_string(peer->id) + (peer->id == id ? " is this node's own --id" : " is given twice");
      peer.reset();
    }
    if (!peer) return app.exit(CLI::ValidationError("--peer", why));
    options.peers.push_back(*peer);
  }
  auto level = ParseLogLevel(log_level);
  if (!level) return app.exit(CLI::ValidationError("--log-level", "unknown level \"" + log_level + "\" (one of: " +
                                                                       kLogLevelNames + ")"));

  if (options.security.keys_dir.empty() != options.security.insecure) {
    // Say it before any recovery or binding: a node never opens a cluster link in plain text by accident.
    auto mode = ts::security::ChooseLinkSecurity(!options.security.keys_dir.empty(), options.security.insecure);
    std::cerr << "tsnode: " << mode.error().message << "\n";
    return kNodeExitNoKeys;
  }

  options.broker_endpoints = broker_texts.empty() ? std::vector<std::string>{"tcp://127.0.0.1:5556"} : broker_texts;
  for (size_t k = 0; k < options.broker_endpoints.size(); ++k) {
    for (size_t j = 0; j < k; ++j) {
      if (options.broker_endpoints[j] == options.broker_endpoints[k]) {
        return app.exit(CLI::ValidationError("--broker", "'" + options.broker_endpoints[k] + "' is given twice"));
      }
    }
  }
  NodeConfig& core = options.core;
  core.id = id;
  core.broker_count = static_cast<uint32_t>(options.broker_endpoints.size());
  core.cluster_size = options.peers.size() + 1;
  const Millis heartbeat(heartbeat_ms);
  core.heartbeat_interval = heartbeat;
  core.liveness_window = heartbeat * liveness;
  core.election_answer_timeout = Scaled(NodeConfig{}.election_answer_timeout, heartbeat);
  core.coordinator_timeout = Scaled(NodeConfig{}.coordinator_timeout, heartbeat);
  core.broker_answer_timeout = Scaled(NodeConfig{}.broker_answer_timeout, heartbeat);
  core.state_transfer_timeout = Scaled(NodeConfig{}.state_transfer_timeout, heartbeat);
  core.behind_timeout = Scaled(NodeConfig{}.behind_timeout, heartbeat);
  core.broker_timeout = Millis(broker_timeout_ms);
  if (!load_path.empty()) options.load_path = load_path;
  if (!save_path.empty()) options.save_path = save_path;
  if (!data_dir.empty()) {
    options.data_dir = data_dir;
    core.durable = true;
  }
  options.log.sync = sync_mode == "none" ? SyncMode::kNone : SyncMode::kAlways;
  options.log.sync_thread = !inline_sync;
  options.log.snapshot_thread = !inline_snapshot;
  options.log.snapshot_log_bytes = snapshot_log_bytes;
  options.exit_linger = Millis(linger_ms);

  SetUpLogging("node " + std::to_string(id), *level);
  if (unsafe_ack_before_replication) {
    core.async_replies = true;
    spdlog::warn("TEST ONLY: --unsafe-ack-before-replication: writes are acknowledged before replication; "
                 "a failover loses acknowledged writes. Never run a real cluster with it.");
  }
  InstallStopHandlers();
  return RunNode(options, &g_stop_signal);
}
