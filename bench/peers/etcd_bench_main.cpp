// etcd_bench: a 3-member etcd (bench/peers/etcd_cluster.sh) at tsbench's
// clients x depth, with tsbench's JSON fields, through etcd's JSON gateway
// (bench/peers/etcd_gateway.h says why not gRPC, and what the gateway costs).
//
//   etcd_bench --endpoints 127.0.0.1:2379,127.0.0.1:2479,127.0.0.1:2579 --clients 8 --depth 16 --workload write --json
//
// Writes are one PUT of a new key per request; reads one range of one key of
// the preloaded key space (--preload), linearizable unless --serializable.
// HTTP/1.1 carries one request at a time per connection, so each client has
// `depth` keep-alive connections (a thread each), spread over the endpoints
// in turn as etcd's own client balances them. Exit codes: 0 when the run
// completed (errors are counted, not fatal), 1 when nothing at all was
// answered, 2 for bad flags.
#include <CLI/CLI.hpp>

#include <cctype>
#include <csignal>
#include <iostream>
#include <random>

#include "bench/peers/etcd_connection.h"
#include "bench/peers/etcd_gateway.h"
#include "bench/peers/peer_report.h"

namespace {

using namespace ts::bench::peers;

// Every limit and timeout of this binary; each has a flag.
struct Defaults {
  static constexpr int kConnectTimeoutMs = 1'000;
  static constexpr int kReplyTimeoutMs = 5'000;
  static constexpr int kReconnectPauseMs = 100;
  static constexpr uint64_t kMaxRequests = 10'000'000;
  static constexpr int kMaxConnections = 1'024;  // clients x depth: one thread each
  static constexpr double kWarmupS = 0.5;
  static constexpr double kDurationS = 5;
};

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

}  // namespace

int main(int argc, char** argv) {
  std::string endpoints_text = "127.0.0.1:2379";
  PeerLoadOptions load;
  load.warmup_s = Defaults::kWarmupS;
  load.duration_s = Defaults::kDurationS;
  load.max_requests = Defaults::kMaxRequests;
  EtcdTimeouts timeouts;
  std::string workload_name = "write";
  int depth = 1;
  int connect_timeout_ms = Defaults::kConnectTimeoutMs;
  int reply_timeout_ms = Defaults::kReplyTimeoutMs;
  int reconnect_pause_ms = Defaults::kReconnectPauseMs;
  bool serializable = false;
  uint64_t key_space = 100'000;
  size_t value_size = 16;
  bool preload = false;
  bool json = false;
  std::string nonce;
  uint64_t seed = 0;

  CLI::App app{"etcd_bench: etcd through its JSON gateway at clients x depth (HTTP/1.1 keep-alive, cpp-httplib)"};
  app.add_option("--endpoints", endpoints_text, "the members' client URLs, comma-separated (host:port or http://host:port)")
      ->capture_default_str();
  app.add_option("--clients", load.clients, "clients")->capture_default_str()->check(CLI::Range(1, 1024));
  app.add_option("--depth", depth, "requests in flight per client: one keep-alive connection (and thread) each")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--workload", workload_name, "write (PUT of a new key) or read (range of one key)")
      ->capture_default_str()
      ->check(CLI::IsMember({"write", "read"}));
  app.add_flag("--serializable", serializable, "serializable reads (a member's local state) instead of linearizable");
  app.add_option("--duration-s", load.duration_s, "measured window, seconds (0: preload only)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86'400.0));
  app.add_option("--warmup-s", load.warmup_s, "load before the window, not measured")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3'600.0));
  app.add_option("--max-requests", load.max_requests, "requests sent over the whole run, warm-up included")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000'000'000}));
  app.add_option("--key-space", key_space, "keys k000..0 .. k<N-1> that reads pick from")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000'000}));
  app.add_option("--value-size", value_size, "bytes per value")->capture_default_str()->check(CLI::Range(size_t{1}, size_t{1} << 20));
  app.add_flag("--preload", preload, "put the whole key space (transactions of 128 puts) before the run");
  app.add_option("--connect-timeout-ms", connect_timeout_ms, "TCP connect timeout")
      ->capture_default_str()
      ->check(CLI::Range(1, 600'000));
  app.add_option("--timeout-ms", reply_timeout_ms, "read and write timeout of one request")
      ->capture_default_str()
      ->check(CLI::Range(1, 600'000));
  app.add_option("--reconnect-pause-ms", reconnect_pause_ms, "pause after a failed connect")
      ->capture_default_str()
      ->check(CLI::Range(0, 60'000));
  app.add_option("--nonce", nonce, "alphanumerics in every written key (default: random), so a test can find them");
  app.add_option("--seed", seed, "random seed (0: a fresh one)");
  app.add_flag("--json", json, "print the result as one JSON object on stdout");
  CLI11_PARSE(app, argc, argv);

  std::vector<EtcdEndpoint> endpoints;
  std::string error;
  if (!ParseEtcdEndpoints(endpoints_text, endpoints, error)) {
    std::cerr << "etcd_bench: --endpoints: " << error << "\n";
    return 2;
  }
  if (load.clients * depth > Defaults::kMaxConnections) {
    std::cerr << "etcd_bench: --clients x --depth is " << load.clients * depth << " connections; at most "
              << Defaults::kMaxConnections << " (one thread each)\n";
    return 2;
  }
  for (char c : nonce) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      std::cerr << "etcd_bench: --nonce \"" << nonce << "\" has a character that is not a letter or digit\n";
      return 2;
    }
  }
  if (nonce.empty()) nonce = RandomNonce();
  if (seed == 0) seed = std::random_device{}();
  timeouts.connect = std::chrono::milliseconds(connect_timeout_ms);
  timeouts.reply = std::chrono::milliseconds(reply_timeout_ms);
  timeouts.reconnect_pause = std::chrono::milliseconds(reconnect_pause_ms);
  const EtcdWorkload workload = workload_name == "read" ? EtcdWorkload::kRead : EtcdWorkload::kWrite;
  load.lanes = depth;
  load.round_size = 1;

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  nlohmann::json preload_json;
  if (preload) {
    EtcdPreloadResult loaded = PreloadEtcd(endpoints[0], timeouts, key_space, value_size);
    std::cerr << "[etcd_bench] preload: " << loaded.written << " keys in " << loaded.seconds << " s"
              << (loaded.error.empty() ? "" : " (failed: " + loaded.error + ")") << "\n";
    preload_json = {{"written", loaded.written}, {"seconds", loaded.seconds}, {"error", loaded.error}};
    if (!loaded.error.empty()) return 1;
  }
  if (load.duration_s <= 0) {
    if (json) std::cout << nlohmann::json{{"tool", "etcd_bench"}, {"preload", preload_json}}.dump() << "\n";
    return 0;
  }

  PeerRunInfo info;
  info.tool = "etcd_bench";
  info.system = "etcd";
  for (const EtcdEndpoint& endpoint : endpoints) info.target += (info.target.empty() ? "" : ",") + endpoint.ToString();
  info.workload = workload_name;
  info.mix = workload == EtcdWorkload::kWrite ? "put=1" : "range=1";
  info.method = std::to_string(load.clients) + " client(s) x " + std::to_string(depth) +
                " HTTP/1.1 keep-alive connection(s) to the JSON gateway (one request in flight each, spread over " +
                std::to_string(endpoints.size()) + " member(s)); " +
                (workload == EtcdWorkload::kWrite ? "one PUT of a new key per request"
                                                  : std::string("one range of one key per request, ") +
                                                        (serializable ? "serializable" : "linearizable"));
  info.clients = load.clients;
  info.depth = depth;
  info.key_space = key_space;
  info.value_size = value_size;
  info.warmup_s = load.warmup_s;
  info.duration_s = load.duration_s;
  info.max_requests = load.max_requests;
  info.settings = {{"api", "json-gateway"},
                   {"consistency", serializable ? "serializable" : "linearizable"},
                   {"endpoints", endpoints.size()},
                   {"reply_timeout_ms", reply_timeout_ms},
                   {"connect_timeout_ms", connect_timeout_ms},
                   {"nonce", nonce},
                   {"write_key_prefix", PeerWritePrefix(nonce)}};
  if (preload) info.settings["preload"] = preload_json;

  auto make_connection = [&](uint32_t client, uint32_t lane) -> std::unique_ptr<PeerConnection> {
    const size_t worker = static_cast<size_t>(client) * static_cast<size_t>(depth) + lane;
    return std::make_unique<EtcdConnection>(endpoints[worker % endpoints.size()], timeouts, workload, serializable,
                                            PeerKeyMaker(nonce, client, lane, key_space, value_size, seed));
  };
  const PeerLoadResult result = RunPeerLoad(load, make_connection, g_stop);
  std::cerr << "[etcd_bench] " << PeerResultText(info, result);
  if (json) std::cout << PeerResultJson(info, result).dump() << "\n";
  return result.tally.ops() == 0 ? 1 : 0;
}
