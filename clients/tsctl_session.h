// One tsctl session: the endpoints in use, the output form, and running a
// parsed Command to an exit code. One-shot tsctl runs one command in a
// Session; the prompt runs many in the same one (so connect/disconnect stick).
//
// Exit codes: 0 success; 1 the service answered with an error (or an
// unreadable reply), "service refused" (the broker's client limit) included;
// 2 a usage error; 3 the service cannot be reached: no reply after every
// attempt, or the broker answered "unavailable" (no primary in time).
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
  bool interactive = false;  // connect, disconnect and quit only make sense here
  ClientOptions client;
};

// The exit code a reply earns (see above).
int ExitCodeFor(const Reply& reply);

class Session {
 public:
  Session(SessionOptions options, std::ostream& out, std::ostream& err);

  int Run(const Command& command);
  int RunWords(const std::vector<std::string>& words);  // parse, then Run
  int RunLine(std::string_view line);                   // split, parse, then Run

  bool quit_requested() const { return quit_requested_; }
  std::string Prompt() const;  // "tsctl tcp://127.0.0.1:5555> "

 private:
  int UsageError(const std::string& message);
  int Failure(std::string_view op, const Error& error);
  int ShowReply(const Result<Reply>& reply, std::string_view op);
  int ShowRawReply(const Result<RawReply>& raw);
  Client* RequestClient();  // nullptr (and a message) when disconnected
  int Connect(const Command& command);
  int Disconnect(const Command& command);
  int Shutdown(const Command& command);

  SessionOptions options_;
  std::ostream& out_;
  std::ostream& err_;
  std::optional<Client> client_;  // for options_.broker_endpoint, made at first use
  bool quit_requested_ = false;
};

}  // namespace ts::tsctl
