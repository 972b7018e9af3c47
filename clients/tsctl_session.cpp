#include "clients/tsctl_session.h"

#include <cctype>
#include <algorithm>
#include <chrono>

#include "clients/client_transport.h"
#include "clients/raw_request.h"
#include "clients/tsctl_format.h"
#include "clients/tsctl_options.h"
#include "common/version.h"

namespace ts::tsctl {
namespace {

bool SameCurve(const std::optional<ClientCurve>& a, const std::optional<ClientCurve>& b) {
  if (!a || !b) return a.has_value() == b.has_value();
  return a->own.public_key == b->own.public_key && a->server_public == b->server_public;
}

bool SameClientOptions(const SessionOptions& a, const SessionOptions& b) {
  return a.broker_endpoint == b.broker_endpoint && a.client.request_timeout == b.client.request_timeout &&
         a.client.retries == b.client.retries && a.client.refused_after == b.client.refused_after &&
         SameCurve(a.client.curve, b.client.curve);
}

TsctlOptions ToTsctlOptions(const SessionOptions& session) {
  TsctlOptions options;
  options.broker = session.broker_endpoint.value_or("");
  options.shutdown_endpoint = session.shutdown_endpoint.value_or("");
  options.json = session.json;
  options.output = session.json ? "json" : session.tsv ? "tsv" : "table";
  options.timeout_ms = static_cast<int>(session.client.request_timeout.count());
  options.retries = session.client.retries;
  options.refused_ms = static_cast<int>(session.client.refused_after.count());
  options.curve = session.client.curve;
  options.admin_curve = session.admin_curve;
  return options;
}

SessionOptions WithTsctlOptions(SessionOptions session, const TsctlOptions& options) {
  session.broker_endpoint = options.broker.empty() ? std::nullopt : std::optional<std::string>(options.broker);
  session.shutdown_endpoint =
      options.shutdown_endpoint.empty() ? std::nullopt : std::optional<std::string>(options.shutdown_endpoint);
  session.json = options.output == "json";
  session.tsv = options.output == "tsv";
  session.client.request_timeout = std::chrono::milliseconds(options.timeout_ms);
  session.client.retries = options.retries;
  session.client.refused_after = std::chrono::milliseconds(options.refused_ms);
  session.client.curve = options.curve;
  session.admin_curve = options.admin_curve;
  return session;
}

}  // namespace

SessionOptions MakeSessionOptions(const TsctlOptions& options) { return WithTsctlOptions(SessionOptions{}, options); }

std::string HelpForWords(const std::vector<std::string>& command_words) {
  if (command_words.empty()) return UsageText();
  std::string topic = command_words[0];
  for (char& c : topic) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return topic == "help" ? UsageText() : HelpText(topic);
}

std::string VersionText() { return std::string("tsctl ") + kVersion + "\n"; }

int ExitCodeFor(const Reply& reply) {
  if (reply.ok()) {
    // A take that found nothing (in its wait) did not do what was asked.
    if (OpFromName(reply.op_name) == Op::kTake && reply.pairs.empty()) return kExitErrorReply;
    // A put or post that left pairs out did not do everything asked.
    return reply.rejected.empty() ? kExitOk : kExitErrorReply;
  }
  // "unavailable" means no primary answered in time: the service cannot be
  // reached. "service refused" is an answer (the client limit), so it is an
  // error reply like any other.
  if (reply.error->kind == ErrorKind::kUnavailable) return kExitUnreachable;
  return kExitErrorReply;
}

int ExitCodeFor(const Error& error) {
  return error.kind == ErrorKind::kUnavailable ? kExitUnreachable : kExitErrorReply;
}

Session::Session(SessionOptions options, std::ostream& out, std::ostream& err)
    : options_(std::move(options)), out_(out), err_(err) {}

std::string Session::Prompt() const {
  return "tsctl " + (options_.broker_endpoint ? *options_.broker_endpoint : std::string("(not connected)")) + "> ";
}

int Session::UsageError(const std::string& message) {
  err_ << "tsctl: " << message << "\n";
  return kExitUsage;
}

int Session::Failure(std::string_view op, const Error& error) {
  err_ << "tsctl: " << FormatFailure(error);
  if (current().json) out_ << JsonLine(FailureJson(op, error));
  return ExitCodeFor(error);
}

int Session::ShowReply(const Result<Reply>& reply, std::string_view op) {
  if (!reply.ok()) return Failure(op, reply.error());
  if (current().tsv) {
    // The pairs alone on stdout; what a person needs to know on stderr.
    out_ << TsvPairs(reply.value());
    if (ExitCodeFor(reply.value()) != kExitOk) err_ << FormatReply(reply.value());
    if (reply.value().more && !reply.value().pairs.empty()) {
      err_ << "more remain: the next page is --after " << DisplayTuple(reply.value().pairs.back().key) << "\n";
    }
  } else {
    out_ << (current().json ? JsonLine(ReplyJson(reply.value())) : FormatReply(reply.value()));
  }
  return ExitCodeFor(reply.value());
}

int Session::ShowRawReply(const Result<RawReply>& raw) {
  if (!raw.ok()) return Failure("", raw.error());
  if (current().tsv && raw.value().decoded) return ShowReply(*raw.value().decoded, "");
  if (current().tsv) {
    err_ << FormatRawReply(raw.value());
  } else {
    out_ << (current().json ? JsonLine(RawReplyJson(raw.value())) : FormatRawReply(raw.value()));
  }
  return raw.value().decoded ? ExitCodeFor(*raw.value().decoded) : kExitErrorReply;
}

Client* Session::RequestClient() {
  const SessionOptions& options = current();
  if (!options.broker_endpoint) {
    UsageError("not connected to a broker; use 'connect EP' first");
    return nullptr;
  }
  std::optional<Client>& client =
      line_options_ && !SameClientOptions(*line_options_, options_) ? line_client_ : client_;
  if (!client) {
    Status valid = CheckEndpoint(*options.broker_endpoint);
    if (!valid.ok()) {
      UsageError("the broker endpoint '" + *options.broker_endpoint + "': " + valid.error().message);
      return nullptr;
    }
    client.emplace(*options.broker_endpoint, options.client);
  }
  return &*client;
}

int Session::Connect(const Command& command) {
  Status valid = CheckEndpoint(*command.endpoint);
  if (!valid.ok()) return UsageError("connect '" + *command.endpoint + "': " + valid.error().message);
  if (command.shutdown_endpoint) {
    options_.shutdown_endpoint = *command.endpoint;
    out_ << "shutdown commands go to " << *command.endpoint << "\n";
  } else {
    client_.reset();
    options_.broker_endpoint = *command.endpoint;
    out_ << "requests go to " << *command.endpoint << " (checked at the first request)\n";
  }
  return kExitOk;
}

int Session::Disconnect(const Command& command) {
  if (command.shutdown_endpoint) {
    options_.shutdown_endpoint.reset();
    out_ << "no shutdown endpoint\n";
  } else {
    client_.reset();
    options_.broker_endpoint.reset();
    out_ << "disconnected\n";
  }
  return kExitOk;
}

int Session::Shutdown(const Command& command) {
  std::optional<std::string> endpoint = command.endpoint ? command.endpoint : current().shutdown_endpoint;
  if (!endpoint) return UsageError("no shutdown endpoint; use 'shutdown --endpoint EP' or 'connect --shutdown EP'");
  Status valid = CheckEndpoint(*endpoint);
  if (!valid.ok()) {
    return UsageError(std::string(command.endpoint ? "--endpoint" : "the shutdown endpoint") + " '" + *endpoint +
                      "': " + valid.error().message);
  }
  ClientOptions shutdown_options = current().client;
  shutdown_options.curve = current().admin_curve;
  return ShowReply(SendShutdown(*endpoint, shutdown_options), client_config::kShutdownOpName);
}

int Session::Ping(const Command& command) {
  Client* client = RequestClient();
  if (client == nullptr) return kExitUsage;
  // Connected first, so the time is the request's send to its reply: a first
  // ping of a fresh tsctl would otherwise mostly time the TCP connect and the
  // ZeroMQ handshake. Not up in time: the call itself says why.
  client->WarmUp(client->options().request_timeout);
  Result<Reply> reply = client->Call(command.request);
  if (!reply.ok()) return Failure("PING", reply.error());
  const double round_trip_ms = client->last_round_trip().count();
  if (current().tsv && reply.value().ok()) {
    out_ << TsvPing(round_trip_ms);
  } else {
    (current().tsv ? err_ : out_) << (current().json ? JsonLine(PingJson(reply.value(), round_trip_ms))
                                                     : FormatPing(reply.value(), round_trip_ms));
  }
  return ExitCodeFor(reply.value());
}

int Session::Count(const Command& command) {
  Client* client = RequestClient();
  if (client == nullptr) return kExitUsage;
  Result<Reply> reply = client->Call(command.request);
  if (!reply.ok()) return Failure("COUNT", reply.error());
  if (current().tsv && reply.value().ok()) {
    out_ << TsvCount(reply.value());
  } else {
    (current().tsv ? err_ : out_) << (current().json ? JsonLine(CountJson(reply.value())) : FormatCount(reply.value()));
  }
  return ExitCodeFor(reply.value());
}

int Session::Watch(const Command& command) {
  Client* client = RequestClient();
  if (client == nullptr) return kExitUsage;
  using Clock = std::chrono::steady_clock;
  const auto until = Clock::now() + std::chrono::milliseconds(command.watch_for_ms);
  Request poll = command.request;
  uint64_t shown = 0;
  for (;;) {
    if (command.watch_for_ms > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      if (left <= 0) return kExitOk;
      poll.wait_ms = static_cast<uint32_t>(std::min<int64_t>(left, client_config::kWatchPollMs));
    }
    Result<Reply> reply = client->Call(poll);
    if (!reply.ok()) return Failure("WATCH", reply.error());
    if (!reply.value().ok()) return ShowReply(reply, "WATCH");
    for (const Change& change : reply.value().changes) {
      out_ << (current().json ? JsonLine(ChangeJson(change, reply.value()))
                              : current().tsv ? TsvChange(change) : FormatChange(change));
      out_.flush();  // one line per change, as it happens: for pipes and files too
      if (command.watch_max_changes > 0 && ++shown >= command.watch_max_changes) return kExitOk;
    }
    // The next poll resumes where this one ended (a new primary's reply may
    // know no position yet: keep ours).
    if (reply.value().position > poll.after_seq) poll.after_seq = reply.value().position;
  }
}

int Session::Run(const Command& command) {
  const bool prompt_only = command.kind == CommandKind::kConnect ||
                           command.kind == CommandKind::kDisconnect || command.kind == CommandKind::kQuit;
  if (prompt_only && !options_.interactive) {
    return UsageError("'" + command.name + "' works in the interactive prompt (run tsctl with no command); "
                      "here use --broker / --shutdown-endpoint");
  }
  switch (command.kind) {
    case CommandKind::kNothing:
      return kExitOk;
    case CommandKind::kHelp:
      out_ << HelpText(command.help_topic);
      return kExitOk;
    case CommandKind::kQuit:
      quit_requested_ = true;
      return kExitOk;
    case CommandKind::kConnect:
      return Connect(command);
    case CommandKind::kDisconnect:
      return Disconnect(command);
    case CommandKind::kShutdown:
      return Shutdown(command);
    case CommandKind::kPing:
      return Ping(command);
    case CommandKind::kCount:
      return Count(command);
    case CommandKind::kWatch:
      return Watch(command);
    case CommandKind::kRequest:
    case CommandKind::kStatus: {
      Client* client = RequestClient();
      if (client == nullptr) return kExitUsage;
      return ShowReply(client->Call(command.request), command.request.op_name);
    }
    case CommandKind::kSendRaw: {
      Client* client = RequestClient();
      if (client == nullptr) return kExitUsage;
      return ShowRawReply(client->SendRaw(command.raw_bytes));
    }
    case CommandKind::kPutRaw: {
      Client* client = RequestClient();
      if (client == nullptr) return kExitUsage;
      return ShowRawReply(
          client->SendRaw(EncodePurportedPairList(client->TakeNextRequestId(), "PUT", command.raw_items)));
    }
  }
  return UsageError("unhandled command '" + command.name + "'");
}

int Session::RunCommandWords(const std::vector<std::string>& words) {
  Result<Command> command = ParseCommand(words);
  if (!command.ok()) return UsageError(command.error().message);
  return Run(command.value());
}

int Session::RunWithOptions(const std::vector<std::string>& option_words,
                            const std::vector<std::string>& command_words) {
  TsctlOptions options = ToTsctlOptions(options_);
  Status applied = ApplyOptionWords(option_words, /*from_environment=*/false, options);
  if (!applied.ok()) return UsageError(applied.error().message);
  line_options_ = WithTsctlOptions(options_, options);
  const int code = RunCommandWords(command_words);
  line_options_.reset();
  line_client_.reset();
  return code;
}

int Session::RunWords(const std::vector<std::string>& words) {
  Result<SplitWords> split = SplitOptionWords(words);
  if (!split.ok()) return UsageError(split.error().message);
  if (split.value().version) {
    out_ << VersionText();
    return kExitOk;
  }
  if (split.value().help) {
    out_ << HelpForWords(split.value().command_words);
    return kExitOk;
  }
  if (split.value().option_words.empty()) return RunCommandWords(split.value().command_words);
  return RunWithOptions(split.value().option_words, split.value().command_words);
}

int Session::RunLine(std::string_view line) {
  Result<std::vector<std::string>> words = SplitCommandLine(line);
  if (!words.ok()) return UsageError(words.error().message);
  return RunWords(words.value());
}

}  // namespace ts::tsctl
