// redis_wait_bench: Redis with a replica, used safely: every SET is
// acknowledged only once WAIT says the replica has it (synchronous
// replication), at tsbench's clients x depth, with tsbench's JSON fields.
//
//   redis_wait_bench --port 6379 --clients 8 --depth 16 --workload write --json
//
// Each client is one connection pipelining `depth` commands per round
// (bench/peers/redis_rounds.h says how WAIT composes with that: --wait-per
// batch, the default, sends the round's SETs then one WAIT; --wait-per set
// sends a WAIT after each SET). --replicas 0 sends no WAIT (plain
// asynchronous Redis, for comparing this driver with redis-benchmark);
// --workload read sends GETs of the preloaded key space (--preload).
// Exit codes: 0 when the run completed (errors are counted, not fatal), 1 when
// nothing at all was answered, 2 for bad flags.
#include <CLI/CLI.hpp>

#include <cctype>
#include <csignal>
#include <iostream>
#include <random>

#include "bench/peers/peer_report.h"
#include "bench/peers/redis_connection.h"

namespace {

using namespace ts::bench::peers;

// Every limit and timeout of this binary; each has a flag.
struct Defaults {
  static constexpr int kConnectTimeoutMs = 1'000;
  static constexpr int kReplyTimeoutMs = 5'000;  // also bounds WAIT ... 0, which Redis never times out
  static constexpr int kReconnectPauseMs = 100;
  static constexpr uint64_t kMaxRequests = 50'000'000;
  static constexpr size_t kPreloadBatch = 1'000;
  static constexpr double kWarmupS = 0.5;
  static constexpr double kDurationS = 5;
};

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

std::string Method(RedisWorkload workload, const WriteRoundSpec& spec, int clients, int depth) {
  const std::string connections = std::to_string(clients) + " connection(s), each pipelining " +
                                  std::to_string(depth) + " ";
  if (workload == RedisWorkload::kRead) return connections + "GETs per round (hiredis)";
  if (spec.replicas == 0) return connections + "SETs per round, no WAIT: asynchronous replication (hiredis)";
  const std::string wait = "WAIT " + std::to_string(spec.replicas) + " " + std::to_string(spec.wait_timeout_ms);
  if (spec.mode == WaitMode::kPerBatch) {
    return connections + "SETs then one " + wait + " per round; each SET is acknowledged at the WAIT reply (hiredis)";
  }
  return connections + "SET + " + wait + " pairs per round; Redis blocks the connection in each WAIT (hiredis)";
}

}  // namespace

int main(int argc, char** argv) {
  RedisTarget target;
  PeerLoadOptions load;
  load.warmup_s = Defaults::kWarmupS;
  load.duration_s = Defaults::kDurationS;
  load.max_requests = Defaults::kMaxRequests;
  WriteRoundSpec spec;
  std::string workload_name = "write";
  std::string wait_mode_name = "batch";
  int depth = 1;
  int connect_timeout_ms = Defaults::kConnectTimeoutMs;
  int reply_timeout_ms = Defaults::kReplyTimeoutMs;
  int reconnect_pause_ms = Defaults::kReconnectPauseMs;
  uint64_t key_space = 100'000;
  size_t value_size = 16;
  size_t preload_batch = Defaults::kPreloadBatch;
  bool preload = false;
  bool json = false;
  std::string nonce;
  uint64_t seed = 0;

  CLI::App app{"redis_wait_bench: Redis + replica with WAIT after the writes, at clients x depth (hiredis)"};
  app.add_option("--host", target.host, "Redis's address (the master)")->capture_default_str();
  app.add_option("--port", target.port, "Redis's port")->capture_default_str()->check(CLI::Range(1, 65535));
  app.add_option("--clients", load.clients, "connections, one thread each")->capture_default_str()->check(CLI::Range(1, 1024));
  app.add_option("--depth", depth, "commands pipelined per round on each connection")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000));
  app.add_option("--workload", workload_name, "write (SET, with WAIT unless --replicas 0) or read (GET)")
      ->capture_default_str()
      ->check(CLI::IsMember({"write", "read"}));
  app.add_option("--replicas", spec.replicas, "WAIT's numreplicas (0: no WAIT, asynchronous)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  app.add_option("--wait-per", wait_mode_name, "batch: one WAIT after the round's SETs; set: a WAIT after each SET")
      ->capture_default_str()
      ->check(CLI::IsMember({"batch", "set"}));
  app.add_option("--wait-timeout-ms", spec.wait_timeout_ms, "WAIT's own timeout (0: none; the reply timeout bounds it)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{600'000}));
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
  app.add_flag("--preload", preload, "SET the whole key space before the run");
  app.add_option("--preload-batch", preload_batch, "SETs per pipelined round of the preload")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{100'000}));
  app.add_option("--connect-timeout-ms", connect_timeout_ms, "TCP connect timeout")
      ->capture_default_str()
      ->check(CLI::Range(1, 600'000));
  app.add_option("--timeout-ms", reply_timeout_ms, "the longest wait for one reply; then the round's rest are errors")
      ->capture_default_str()
      ->check(CLI::Range(1, 600'000));
  app.add_option("--reconnect-pause-ms", reconnect_pause_ms, "pause after a failed connect")
      ->capture_default_str()
      ->check(CLI::Range(0, 60'000));
  app.add_option("--nonce", nonce, "alphanumerics in every written key (default: random), so a test can find them");
  app.add_option("--seed", seed, "random seed (0: a fresh one)");
  app.add_flag("--json", json, "print the result as one JSON object on stdout");
  CLI11_PARSE(app, argc, argv);

  for (char c : nonce) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      std::cerr << "redis_wait_bench: --nonce \"" << nonce << "\" has a character that is not a letter or digit\n";
      return 2;
    }
  }
  if (nonce.empty()) nonce = RandomNonce();
  if (seed == 0) seed = std::random_device{}();
  target.connect_timeout = std::chrono::milliseconds(connect_timeout_ms);
  target.reply_timeout = std::chrono::milliseconds(reply_timeout_ms);
  target.reconnect_pause = std::chrono::milliseconds(reconnect_pause_ms);
  spec.mode = *ParseWaitMode(wait_mode_name);
  const RedisWorkload workload = workload_name == "read" ? RedisWorkload::kRead : RedisWorkload::kWrite;
  load.lanes = 1;
  load.round_size = depth;

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  nlohmann::json preload_json;
  if (preload) {
    RedisPreloadResult loaded = PreloadRedis(target, key_space, value_size, preload_batch, spec.replicas);
    std::cerr << "[redis_wait_bench] preload: " << loaded.written << " keys in " << loaded.seconds << " s"
              << (loaded.error.empty() ? "" : " (failed: " + loaded.error + ")") << "\n";
    preload_json = {{"written", loaded.written}, {"seconds", loaded.seconds}, {"error", loaded.error}};
    if (!loaded.error.empty()) return 1;
  }
  if (load.duration_s <= 0) {
    if (json) std::cout << nlohmann::json{{"tool", "redis_wait_bench"}, {"preload", preload_json}}.dump() << "\n";
    return 0;
  }

  PeerRunInfo info;
  info.tool = "redis_wait_bench";
  info.system = workload == RedisWorkload::kWrite && spec.replicas > 0 ? "redis-wait" : "redis-async";
  info.target = target.host + ":" + std::to_string(target.port);
  info.workload = workload_name;
  info.mix = workload == RedisWorkload::kRead ? "get=1" : spec.replicas > 0 ? "set+wait=1" : "set=1";
  info.method = Method(workload, spec, load.clients, depth);
  info.clients = load.clients;
  info.depth = depth;
  info.key_space = key_space;
  info.value_size = value_size;
  info.warmup_s = load.warmup_s;
  info.duration_s = load.duration_s;
  info.max_requests = load.max_requests;
  info.settings = {{"replicas", spec.replicas},
                   {"wait_per", wait_mode_name},
                   {"wait_timeout_ms", spec.wait_timeout_ms},
                   {"reply_timeout_ms", reply_timeout_ms},
                   {"connect_timeout_ms", connect_timeout_ms},
                   {"nonce", nonce},
                   {"write_key_prefix", PeerWritePrefix(nonce)}};
  if (preload) info.settings["preload"] = preload_json;

  auto make_connection = [&](uint32_t client, uint32_t lane) -> std::unique_ptr<PeerConnection> {
    return std::make_unique<RedisConnection>(target, workload, spec,
                                             PeerKeyMaker(nonce, client, lane, key_space, value_size, seed));
  };
  const PeerLoadResult result = RunPeerLoad(load, make_connection, g_stop);
  std::cerr << "[redis_wait_bench] " << PeerResultText(info, result);
  if (json) std::cout << PeerResultJson(info, result).dump() << "\n";
  return result.tally.ops() == 0 ? 1 : 0;
}
