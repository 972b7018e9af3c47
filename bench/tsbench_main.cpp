// tsbench: a load generator for a tuplestar broker (or anything that answers
// its protocol, such as bench/echo_node), on the pipelined client.
//
//   tsbench --broker tcp://127.0.0.1:5555 --clients 8 --depth 16 --duration-s 5 --mix put-new=1 --json
//
// Prints a progress line while it runs (stderr), then ops/s and latency
// percentiles (stdout; JSON with --json). Exit codes: 0 when the run
// completed (errors are counted, not fatal), 1 when nothing at all was
// answered (no service there?), 2 for bad flags.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>

#include "bench/load_report.h"
#include "bench/load_run.h"
#include "clients/client_keys.h"
#include "clients/client_config.h"

namespace {

using namespace ts::bench;

std::string RandomNonce() {
  const std::string letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device device;
  std::string nonce;
  for (int i = 0; i < 6; ++i) nonce += letters[device() % letters.size()];
  return nonce;
}

}  // namespace

int main(int argc, char** argv) {
  LoadOptions options;
  options.broker = ts::client_config::kDefaultBrokerEndpoint;
  std::string mix_text = "put-new=1";
  int64_t timeout_ms = options.request_timeout.count();
  bool json = false;
  bool preload = false;
  double progress_s = 1.0;
  uint64_t seed = 0;

  CLI::App app{"tsbench: load generator for a tuplestar cluster (pipelined DEALER clients)"};
  app.add_option("--broker", options.broker, "the broker's client endpoint, or every broker's as a comma list (EP1,EP2)")->capture_default_str();
  app.add_option("--clients", options.clients, "client threads, each with its own pipelined client")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--depth", options.depth, "requests in flight per client")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000));
  app.add_option("--duration-s", options.duration_s, "measured window, seconds (0: preload only)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86'400.0));
  app.add_option("--warmup-s", options.warmup_s, "load before the window, not measured")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3'600.0));
  app.add_option("--key-space", options.requests.key_space, "keys k000..0 .. k<N-1> that post/get/delete use")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000'000'000}));
  app.add_option("--value-size", options.requests.value_size,
                 "bytes per value: random alphanumerics in elements of 256 bytes (the space's limits: at most 64)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, kMaxValueBytes));
  app.add_option("--mix", mix_text, "relative weights: put-new=..,post=..,get=..,get-regex=..,delete=..,get-scan=..")
      ->capture_default_str();
  app.add_flag("--preload", preload, "PUT the whole key space (batches of 1000 pairs) before the run");
  app.add_option("--timeout-ms", timeout_ms, "per-attempt request timeout")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{600'000}));
  app.add_option("--retries", options.retries, "attempts after the first")
      ->capture_default_str()
      ->check(CLI::Range(0, ts::client_config::kMaxRequestRetries));
  app.add_option("--seed", seed, "random seed (0: a fresh one)");
  app.add_option("--progress-s", progress_s, "progress line interval on stderr (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3'600.0));
  std::string key, server_key;
  app.add_option("--key", key, "the client's CURVE pair, BASE of BASE.pub/BASE.secret (env TUPLESTAR_KEY; "
                 "none: plain text, for a --clients-open or --insecure broker)");
  app.add_option("--server-key", server_key, "the broker's public key (default: brokers/broker-1.pub beside --key; "
                 "env TUPLESTAR_SERVER_KEY)");
  app.add_flag("--json", json, "print the result as one JSON object on stdout");
  CLI11_PARSE(app, argc, argv);

  ts::Result<OpMix> mix = OpMix::Parse(mix_text);
  if (!mix.ok()) {
    std::cerr << "tsbench: " << mix.error().message << "\n";
    return 2;
  }
  options.mix = mix.value();
  ts::Result<std::optional<ts::ClientCurve>> curve =
      ts::LoadClientCurve(ts::FlagOrEnv(key, ts::kClientKeyEnv), ts::FlagOrEnv(server_key, ts::kServerKeyEnv));
  if (!curve.ok()) {
    std::cerr << "tsbench: " << curve.error().message << "\n";
    return 2;
  }
  options.curve = curve.value();
  options.request_timeout = std::chrono::milliseconds(timeout_ms);
  options.requests.run_nonce = RandomNonce();
  options.requests.seed = seed != 0 ? seed : std::random_device{}();

  nlohmann::json preload_json;
  if (preload) {
    std::cerr << "[tsbench] preloading " << options.requests.key_space << " keys\n";
    PreloadResult loaded = Preload(options.broker, options.requests.key_space, options.requests.value_size,
                                   options.request_timeout, options.retries, options.curve);
    std::cerr << "[tsbench] preload: " << loaded.added << " added, " << loaded.already_present
              << " already present, " << loaded.failed_requests << " failed requests in " << loaded.seconds << " s"
              << (loaded.first_error.empty() ? "" : " (first error: " + loaded.first_error + ")") << "\n";
    preload_json = {{"seconds", loaded.seconds},
                    {"added", loaded.added},
                    {"already_present", loaded.already_present},
                    {"failed_requests", loaded.failed_requests}};
    if (loaded.added + loaded.already_present == 0) return 1;
  }
  if (options.duration_s <= 0) {
    if (json) std::cout << nlohmann::json{{"tool", "tsbench"}, {"preload", preload_json}}.dump() << "\n";
    return 0;
  }

  LoadProgress progress;
  const bool terminal = isatty(STDERR_FILENO) == 1;
  uint64_t last_replies = 0;
  double last_elapsed = 0;
  auto on_tick = [&](double elapsed) {
    const uint64_t replies = progress.replies.load();
    const double rate = elapsed > last_elapsed ? static_cast<double>(replies - last_replies) / (elapsed - last_elapsed) : 0;
    last_replies = replies;
    last_elapsed = elapsed;
    const char* phase = progress.phase.load() == 0 ? "warm-up" : "measuring";
    std::fprintf(stderr, "%s[tsbench] %5.1f / %.1f s  %-9s %10.0f ops/s  %llu replies  %llu errors%s", terminal ? "\r" : "",
                 elapsed, options.warmup_s + options.duration_s, phase, rate,
                 static_cast<unsigned long long>(replies), static_cast<unsigned long long>(progress.errors.load()),
                 terminal ? "   " : "\n");
    std::fflush(stderr);
  };
  LoadResult result = RunLoad(options, progress, on_tick, progress_s);
  if (terminal && progress_s > 0) std::fprintf(stderr, "\n");

  if (json) {
    nlohmann::json out = LoadResultJson(options, result);
    if (preload) out["preload"] = preload_json;
    std::cout << out.dump() << "\n";
  } else {
    std::cout << LoadResultText(options, result);
  }
  return result.ops == 0 ? 1 : 0;
}
