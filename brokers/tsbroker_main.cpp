// tsbroker: the proxy between clients and the primary node (SPEC section 2).
// Flags override the defaults in brokers/broker_config.h and broker_shell.h;
// the loop is brokers/broker_shell.cpp. Exit codes: 0 after a shutdown
// (confirmed by the nodes or not, see --shutdown-grace-ms) or SIGINT/SIGTERM,
// 1 when an endpoint cannot be bound or a socket fails, CLI11's code
// (non-zero) for a usage error.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

#include "brokers/broker_shell.h"
#include "common/cluster_file/cluster_flags.h"
#include "common/process_support.h"

namespace {

// SIGHUP bumps it; the loop reloads the allow-lists when it changes.
volatile std::sig_atomic_t g_reload_signals = 0;
void OnReloadSignal(int) { g_reload_signals = g_reload_signals + 1; }
void InstallReloadHandler() {
  struct sigaction action {};
  action.sa_handler = OnReloadSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGHUP, &action, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ts::cluster;
  BrokerShellOptions options;
  options.clients_endpoint = "tcp://127.0.0.1:5555";
  options.nodes_endpoint = "tcp://127.0.0.1:5556";
  options.shutdown_endpoint = "tcp://127.0.0.1:5557";
  int64_t hold_ms = options.core.hold_time.count();
  int64_t client_idle_ms = options.core.client_idle_timeout.count();
  int64_t primary_liveness_ms = options.core.primary_liveness.count();
  int64_t poll_ms = options.poll_interval.count();
  int64_t linger_ms = options.exit_linger.count();
  int64_t shutdown_grace_ms = options.core.shutdown.grace.count();
  int64_t shutdown_resend_ms = options.core.shutdown.resend_interval.count();
  std::string log_level = "info";

  std::string cluster_path;
  uint32_t broker_id = 1;
  // Defines every flag on `cli`: once for the command line, and once more with
  // the cluster file's flags added (--cluster).
  auto define = [&](CLI::App& cli) {
    cli.add_option("--cluster", cluster_path,
                   "the cluster file (docs/OPERATIONS.md \"The cluster file\"): this broker's endpoints, the cluster "
                   "size, the keys folder and the timeouts come from broker --id's entry; any of those flags given "
                   "beside it overrides the file's value");
    cli.add_option("--id", broker_id, "with --cluster: which broker of the file this is (1..B)")
        ->check(CLI::Range(1u, 1'000u));
    cli.add_option("--clients", options.clients_endpoint, "client endpoint (ROUTER, bound)")->capture_default_str();
    cli.add_option("--nodes", options.nodes_endpoint, "node endpoint (ROUTER, bound; nodes connect DEALERs)")
        ->capture_default_str();
    cli.add_option("--shutdown", options.shutdown_endpoint, "shutdown endpoint (ROUTER, bound; takes SHUTDOWN requests)")
        ->capture_default_str();
    cli.add_option("--cluster-size", options.core.cluster_size,
                   "how many nodes the cluster has (required without --cluster): a node becomes primary only with the votes of a "
                   "majority of this many; a registration counting another size is refused")
        ->check(CLI::Range(1u, 1'000u));
    cli.add_option("--max-clients", options.core.max_clients,
                   "concurrent clients; one more is answered \"service refused\"")
        ->capture_default_str()
        ->check(CLI::Range(size_t{1}, size_t{1'000'000}));
    cli.add_option("--hold-ms", hold_ms, "how long a request waits for a primary before \"unavailable\"")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
    cli.add_option("--client-idle-ms", client_idle_ms, "a client silent this long gives its slot back")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
    cli.add_option("--primary-liveness-ms", primary_liveness_ms,
                   "the primary is live while heard within this window (node heartbeat x liveness)")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
    cli.add_option("--poll-ms", poll_ms, "longest wait in one loop turn (ticks run at least this often)")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{1}, int64_t{1'000}));
    cli.add_option("--linger-ms", linger_ms, "how long sockets may flush at exit")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{0}, int64_t{60'000}));
    cli.add_option("--shutdown-grace-ms", shutdown_grace_ms,
                   "after a SHUTDOWN, longest wait for the nodes to confirm they stop; then the broker answers "
                   "\"not confirmed\" and exits anyway")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{0}, int64_t{600'000}));
    cli.add_option("--shutdown-resend-ms", shutdown_resend_ms,
                   "after a SHUTDOWN, how often the shutdown command goes out again until confirmed")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{1}, int64_t{60'000}));
    cli.add_option("--metrics", options.metrics_endpoint,
                   "serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9100; port 0: any free)");
    cli.add_option("--keys", options.security.keys_dir,
                   "the cluster's keys folder, DIR/keys (./run.sh up or `tskeys cluster DIR` makes it): every endpoint "
                   "is CURVE; nodes need node keys, clients the client allow-list, shutdown the admin key");
    cli.add_option("--client-keys", options.security.client_keys,
                   "the client allow-list: a folder of *.pub or a file of keys, one a line (default: KEYS/clients); "
                   "reloaded on SIGHUP");
    cli.add_flag("--clients-open", options.clients_open,
                 "the client endpoint in plain text, open to anyone who can reach it (trusted networks only)");
    cli.add_flag("--insecure", options.security.insecure,
                 "plain text on every endpoint, no keys: anyone who can reach a port can act as a node, read and write "
                 "every pair, and shut the service down");
    cli.add_option("--broker-key-id", options.broker_key_id, "this broker's pair: KEYS/brokers/broker-ID")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1'000'000'000u));
    cli.add_option("--log-level", log_level, std::string("log level: ") + kLogLevelNames)->capture_default_str();
  };
  CLI::App app{"tsbroker: routes client requests to the current primary node of a tuplestar cluster"};
  define(app);
  CLI11_PARSE(app, argc, argv);
  if (!cluster_path.empty()) {
    auto file = ts::cluster_file::LoadClusterFile(cluster_path);
    auto flags = file.ok() ? ts::cluster_file::BrokerFlags(file.value(), broker_id) : file.error();
    if (!flags.ok()) return app.exit(CLI::ValidationError("--cluster", flags.error().message));
    std::vector<std::string> words = ts::cluster_file::CommandLineWithFileFlags(
        argc, argv, flags.value(), [&app](const std::string& name) {
          const CLI::Option* option = app.get_option_no_throw(name);  // tsnode has no --clients-open
          return option != nullptr && option->count() > 0;
        });
    CLI::App again{"tsbroker"};
    define(again);
    try {
      again.parse(words);
    } catch (const CLI::ParseError& error) {
      return again.exit(error);
    }
  } else if (app.count("--id") > 0) {
    return app.exit(CLI::ValidationError("--id", "names an entry of the cluster file: give --cluster FILE too"));
  }
  if (options.core.cluster_size == 0) return app.exit(CLI::RequiredError("--cluster-size (or --cluster FILE)"));

  auto level = ParseLogLevel(log_level);
  if (!level) return app.exit(CLI::ValidationError("--log-level", "unknown level \"" + log_level + "\" (one of: " +
                                                                       kLogLevelNames + ")"));
  options.core.hold_time = Millis(hold_ms);
  options.core.client_idle_timeout = Millis(client_idle_ms);
  options.core.primary_liveness = Millis(primary_liveness_ms);
  options.poll_interval = Millis(poll_ms);
  options.exit_linger = Millis(linger_ms);
  options.core.shutdown.grace = Millis(shutdown_grace_ms);
  options.core.shutdown.resend_interval = Millis(shutdown_resend_ms);

  SetUpLogging("broker", *level);
  InstallStopHandlers();
  InstallReloadHandler();
  options.reload_keys = &g_reload_signals;
  return RunBroker(options, &g_stop_signal);
}
