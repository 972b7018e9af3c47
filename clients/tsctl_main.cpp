// tsctl: the tuplestar command-line client.
//   tsctl [--broker EP] [--shutdown-endpoint EP] [--json] [--timeout-ms N]
//         [--retries N] [COMMAND [ARG ...]]
// With a command it runs it once and exits (0 ok, 1 error reply, 2 usage,
// 3 service unreachable); with none it opens the interactive prompt.
// Options go before the command: everything after the command word is the
// command's own (so a pattern may start with '-').
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "clients/client_config.h"
#include "clients/tsctl_command.h"
#include "clients/tsctl_prompt.h"
#include "clients/tsctl_session.h"

namespace cfg = ts::client_config;
using ts::tsctl::kExitOk;
using ts::tsctl::kExitUsage;

int main(int argc, char** argv) {
  ts::tsctl::SessionOptions options;
  std::string broker = cfg::kDefaultBrokerEndpoint;
  std::string shutdown_endpoint = cfg::kDefaultShutdownEndpoint;
  int timeout_ms = static_cast<int>(cfg::kDefaultRequestTimeout.count());
  int retries = cfg::kDefaultRequestRetries;

  CLI::App app{"tsctl: the tuplestar client.\n"
               "usage: tsctl [OPTIONS] [COMMAND [ARG ...]]   (no COMMAND: an interactive prompt)",
               "tsctl"};
  app.add_option("--broker", broker, "the broker's client endpoint")
      ->envname("TS_BROKER")
      ->capture_default_str();
  app.add_option("--shutdown-endpoint", shutdown_endpoint, "the broker's shutdown endpoint")
      ->envname("TS_SHUTDOWN")
      ->capture_default_str();
  app.add_flag("--json", options.json, "print each reply as one JSON object per line");
  app.add_option("--timeout-ms", timeout_ms, "how long one attempt waits for its reply")
      ->check(CLI::Range(cfg::kMinTimeoutMs, cfg::kMaxTimeoutMs))
      ->capture_default_str();
  app.add_option("--retries", retries, "attempts after the first before giving up")
      ->check(CLI::Range(0, cfg::kMaxRequestRetries))
      ->capture_default_str();
  app.set_version_flag("--version", "tsctl 0.1.0");
  // The first positional word is the command; it and everything after it are
  // left for the command parser.
  app.prefix_command();
  app.footer("\n" + ts::tsctl::HelpText() +
             "exit status: 0 ok, 1 error reply, 2 usage error, 3 service unreachable\n"
             "             (no reply in time, or the broker said unavailable)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& done) {  // --help, --version
    return app.exit(done);
  } catch (const CLI::ParseError& error) {
    app.exit(error);  // prints what was wrong and where to find help
    return kExitUsage;
  }

  options.broker_endpoint = broker;
  options.shutdown_endpoint = shutdown_endpoint;
  options.client.request_timeout = std::chrono::milliseconds(timeout_ms);
  options.client.retries = retries;

  const std::vector<std::string> words = app.remaining();
  if (!words.empty()) {
    ts::tsctl::Session session(options, std::cout, std::cerr);
    return session.RunWords(words);
  }
  options.interactive = true;
  ts::tsctl::Session session(options, std::cout, std::cerr);
  return ts::tsctl::RunPrompt(session);
}
