// tschaos-history: concurrent clients recording a history for tschaos-check
// (launcher/chaos/history_recorder.h; format in history.h and
// docs/OPERATIONS.md "Chaos histories"). Ends at --duration-ms or on
// SIGTERM/SIGINT (the operations in flight finish within their timeout, the
// file is flushed), then prints "history: ops=O ok=A fail=F unknown=U".
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <atomic>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "clients/client_keys.h"
#include "clients/client_transport.h"
#include "launcher/chaos/history_recorder.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Defaults of the flags, and their bounds.
constexpr int kDefaultClients = 5;
constexpr int kDefaultKeys = 3;
constexpr int kDefaultDurationMs = 10'000;
constexpr int kDefaultTimeoutMs = 1'000;
constexpr int kMaxClients = 256;
constexpr int kMaxKeys = 1'000;
constexpr int kMaxRetries = 10;
// How often the main thread looks whether the recorder has finished while it
// waits for a signal.
constexpr long kSignalWaitSliceNs = 100'000'000;

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ','))
    if (!part.empty()) parts.push_back(part);
  return parts;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tschaos-history: concurrent clients recording a PUT/POST/GET/DELETE history for tschaos-check"};
  std::string brokers;
  std::string key, server_key;
  bool insecure = false;
  int clients = kDefaultClients, keys = kDefaultKeys, duration_ms = kDefaultDurationMs, timeout_ms = kDefaultTimeoutMs;
  int retries = 0;
  uint64_t seed = 1;
  std::string out, rate_out;
  app.add_option("--broker", brokers, "the brokers' client endpoints, EP[,EP...] (a client moves to the next on a timeout or refusal)")->required();
  app.add_option("--key", key, "the client's CURVE pair (BASE of BASE.pub/BASE.secret)");
  app.add_option("--server-key", server_key, "the broker's public key file");
  app.add_flag("--insecure", insecure, "plain text, for an --insecure or --clients-open cluster");
  app.add_option("--clients", clients, "concurrent clients (threads)")->check(CLI::Range(1, kMaxClients));
  app.add_option("--keys", keys, "keys k0..k<K-1>")->check(CLI::Range(1, kMaxKeys));
  app.add_option("--duration-ms", duration_ms, "how long to run")->check(CLI::Range(1, 24 * 3600 * 1000));
  app.add_option("--seed", seed, "seeds the operation mix");
  app.add_option("--timeout-ms", timeout_ms, "per attempt; no reply in time: unknown")->check(CLI::Range(1, 600'000));
  app.add_option("--retries", retries, "Lazy Pirate retries of one request (same request id)")
      ->check(CLI::Range(0, kMaxRetries));
  app.add_option("--out", out, "the history file (JSON lines)")->required();
  app.add_option("--rate-out", rate_out, "per-second acknowledged counts, CSV second,acknowledged,start_ns");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  ts::chaos::RecorderOptions options;
  std::vector<std::string> endpoints = SplitCommas(brokers);
  if (endpoints.empty()) {
    std::cerr << "tschaos-history: --broker '" << brokers << "' names no endpoint\n";
    return kExitUsage;
  }
  for (const std::string& endpoint : endpoints) {
    ts::Status valid = ts::CheckEndpoint(endpoint);
    if (!valid.ok()) {
      std::cerr << "tschaos-history: --broker '" << endpoint << "': " << valid.error().message << "\n";
      return kExitUsage;
    }
  }
  options.broker = brokers;  // the client library takes the list and moves along it
  if (insecure && (!key.empty() || !server_key.empty())) {
    std::cerr << "tschaos-history: --insecure and --key/--server-key exclude each other\n";
    return kExitUsage;
  }
  if (!insecure) {
    if (key.empty()) {
      std::cerr << "tschaos-history: give --key FILE (and --server-key FILE), or --insecure\n";
      return kExitUsage;
    }
    auto curve = ts::LoadClientCurve(key, server_key);
    if (!curve.ok()) {
      std::cerr << "tschaos-history: " << curve.error().message << "\n";
      return kExitUsage;
    }
    options.curve = curve.value();
  }
  options.clients = clients;
  options.keys = keys;
  options.duration = std::chrono::milliseconds(duration_ms);
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.retries = retries;
  options.seed = seed;
  options.out = out;
  options.rate_out = rate_out;

  // SIGTERM/SIGINT are taken by this thread only (blocked before any other
  // thread exists, so the client threads inherit the mask).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::atomic<bool> stop{false};
  std::atomic<bool> finished{false};
  std::optional<ts::Result<ts::chaos::RecorderTotals>> result;
  std::thread recorder([&] {
    result.emplace(ts::chaos::RunRecorder(options, stop));
    finished.store(true);
  });
  const timespec slice{0, kSignalWaitSliceNs};
  while (!finished.load()) {
    if (sigtimedwait(&stop_signals, nullptr, &slice) > 0) stop.store(true);
  }
  recorder.join();
  if (!result->ok()) {
    std::cerr << "tschaos-history: " << result->error().message << "\n";
    return kExitFailed;
  }
  std::cout << result->value().SummaryLine() << std::endl;
  return kExitOk;
}
