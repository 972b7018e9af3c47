// tsctl's options (--broker, --json, --timeout-ms, ...): one set, accepted
// anywhere among the words, before or after the command, in one-shot use and
// on every prompt line alike:
//   tsctl get user,1 --json   is   tsctl --json get user,1
// A word "--" ends the options: every word after it is the command's (a
// pattern that starts with "--"). Other words that start with "--" must be an
// option of tsctl or of the command (--hex, --endpoint, --shutdown); any other
// is a usage error naming it. A single '-' starts no option (-x is a pattern),
// except -h.
//
// Finding the option words is ours (SplitOptionWords); parsing them is CLI11's
// (values, ranges, --name=value, environment), and the finder reads the same
// CLI11 definitions, so the two cannot disagree. The help text is ours too
// (UsageText): one usage line, each option with its value name and default.
#pragma once

#include <string>
#include <vector>

#include "clients/client_config.h"
#include "clients/client_keys.h"
#include "common/status.h"

namespace ts::tsctl {

struct TsctlOptions {
  std::string cluster;  // --cluster FILE: the brokers and the client key from a cluster file
  std::string broker = client_config::kDefaultBrokerEndpoint;
  std::string shutdown_endpoint = client_config::kDefaultShutdownEndpoint;
  bool json = false;               // --json: the same as --output json
  std::string output = "table";    // --output table|json|tsv (after ApplyOptionWords, json == (output == "json"))
  int timeout_ms = static_cast<int>(client_config::kDefaultRequestTimeout.count());
  int retries = client_config::kDefaultRequestRetries;
  int refused_ms = static_cast<int>(client_config::kDefaultRefusedAfter.count());
  // CURVE (clients/client_keys.h): --key BASE (TUPLESTAR_KEY), --server-key
  // FILE (TUPLESTAR_SERVER_KEY), --admin-key BASE for shutdown (else --key).
  std::string key;
  std::string server_key;
  std::string admin_key;
  // Read from those by ApplyOptionWords; none: plain text.
  std::optional<ClientCurve> curve;
  std::optional<ClientCurve> admin_curve;
};

struct SplitWords {
  std::vector<std::string> option_words;   // tsctl's options with their values, in order
  std::vector<std::string> command_words;  // the command word first; its own options and "--" kept
  bool help = false;                       // -h / --help
  bool version = false;                    // --version
};

// Separates tsctl's options from the command's words (see above). Errors:
// an unknown "--word" (naming it), an option with no value after it.
Result<SplitWords> SplitOptionWords(const std::vector<std::string>& words);

// Parses option words (from SplitOptionWords) into `options`, whose current
// values are the defaults; options not among the words keep them (or take
// TS_BROKER / TS_SHUTDOWN when `from_environment`). Then checks both
// endpoints (clients/client_transport.h CheckEndpoint). Errors name the
// option and the value: "--broker 'tcp://127.0.0.1:99999': port 99999 is out
// of range 1..65535", "--timeout-ms: Value 0 not in range 1 to 600000".
Status ApplyOptionWords(const std::vector<std::string>& option_words, bool from_environment,
                        TsctlOptions& options);

// Every option's name ("--broker", ..., "--help", "--version"), for completion.
std::vector<std::string> OptionNames();

// The options, one per line, for --help and the README's reference table.
std::string OptionsHelp();

// `tsctl --help`: the usage line, the options, the commands, the exit codes.
std::string UsageText();

}  // namespace ts::tsctl
