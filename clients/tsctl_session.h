// One tsctl session: the endpoints in use, the output form, and running a
// parsed Command to an exit code. One-shot tsctl runs one command in a
// Session; the prompt runs many in the same one (so connect/disconnect stick).
//
// Exit codes: 0 everything asked was done; 1 the service answered but
// refused something: an error reply (or an unreadable reply), "service
// refused" (the broker's client limit) included, and a put or post with any
// pair not added or not updated; 2 a usage error; 3 the service cannot be
// reached: connection refused, no reply after every attempt, or the broker
// answered "unavailable" (no primary in time).
//
// A line may carry tsctl's options anywhere (clients/tsctl_options.h): in
// the prompt they hold for that line only (`get a --json`).
// Results go to `out`; usage errors and the client's own failures to `err`
// (with --json, a failure is ALSO printed to `out` as a JSON object).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "clients/client.h"
#include "clients/client_config.h"
#include "clients/tsctl_command.h"
#include "clients/tsctl_options.h"

namespace ts::tsctl {

enum ExitCode : int {
  kExitOk = 0,
  kExitErrorReply = 1,
  kExitUsage = 2,
  kExitUnreachable = 3,
};

struct SessionOptions {
  std::optional<std::string> broker_endpoint = client_config::kDefaultBrokerEndpoint;
  std::optional<std::string> shutdown_endpoint = client_config::kDefaultShutdownEndpoint;
  bool json = false;
  bool tsv = false;  // --output tsv: pairs as KEY<tab>VALUE lines, everything else on stderr
  bool interactive = false;  // connect, disconnect and quit only make sense here
  ClientOptions client;
  std::optional<ClientCurve> admin_curve;  // for shutdown (--admin-key, else --key)
};

// Session options from tsctl's options (interactive stays false).
SessionOptions MakeSessionOptions(const TsctlOptions& options);

// What -h / --help prints: the whole usage, or the help of the command that
// `command_words` start with. And what --version prints.
std::string HelpForWords(const std::vector<std::string>& command_words);
std::string VersionText();

// The exit code a reply earns (see above).
int ExitCodeFor(const Reply& reply);

// The exit code a failure of the client's own earns: 3 when the service
// could not be reached, 1 otherwise (an unreadable reply).
int ExitCodeFor(const Error& error);

class Session {
 public:
  Session(SessionOptions options, std::ostream& out, std::ostream& err);

  int Run(const Command& command);
  // Takes tsctl's options out of the words (they hold for these words only),
  // answers --help and --version, parses the rest and runs it.
  int RunWords(const std::vector<std::string>& words);
  int RunLine(std::string_view line);  // split into words, then RunWords

  bool quit_requested() const { return quit_requested_; }
  std::string Prompt() const;  // "tsctl tcp://127.0.0.1:5555> "

 private:
  int UsageError(const std::string& message);
  int Failure(std::string_view op, const Error& error);
  int ShowReply(const Result<Reply>& reply, std::string_view op);
  int Ping(const Command& command);
  int Count(const Command& command);
  int Watch(const Command& command);
  int RunWithOptions(const std::vector<std::string>& option_words, const std::vector<std::string>& command_words);
  int RunCommandWords(const std::vector<std::string>& words);
  const SessionOptions& current() const { return line_options_ ? *line_options_ : options_; }
  int ShowRawReply(const Result<RawReply>& raw);
  Client* RequestClient();  // nullptr (and a message) when disconnected
  int Connect(const Command& command);
  int Disconnect(const Command& command);
  int Shutdown(const Command& command);

  SessionOptions options_;
  std::ostream& out_;
  std::ostream& err_;
  std::optional<Client> client_;  // for options_.broker_endpoint, made at first use
  // While a line with its own options runs: those options, and a client of
  // its own when they change the endpoint or the attempts.
  std::optional<SessionOptions> line_options_;
  std::optional<Client> line_client_;
  bool quit_requested_ = false;
};

}  // namespace ts::tsctl
