#include "clients/tsctl_session.h"

#include "clients/client_transport.h"
#include "clients/raw_request.h"
#include "clients/tsctl_format.h"

namespace ts::tsctl {

int ExitCodeFor(const Reply& reply) {
  if (reply.ok()) return kExitOk;
  // "unavailable" means no primary answered in time: the service cannot be
  // reached. "service refused" is an answer (the client limit), so it is an
  // error reply like any other.
  if (reply.error->kind == ErrorKind::kUnavailable) return kExitUnreachable;
  return kExitErrorReply;
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
  if (options_.json) out_ << JsonLine(FailureJson(op, error));
  return error.kind == ErrorKind::kUnavailable ? kExitUnreachable : kExitErrorReply;
}

int Session::ShowReply(const Result<Reply>& reply, std::string_view op) {
  if (!reply.ok()) return Failure(op, reply.error());
  out_ << (options_.json ? JsonLine(ReplyJson(reply.value())) : FormatReply(reply.value()));
  return ExitCodeFor(reply.value());
}

int Session::ShowRawReply(const Result<RawReply>& raw) {
  if (!raw.ok()) return Failure("", raw.error());
  out_ << (options_.json ? JsonLine(RawReplyJson(raw.value())) : FormatRawReply(raw.value()));
  return raw.value().decoded ? ExitCodeFor(*raw.value().decoded) : kExitErrorReply;
}

Client* Session::RequestClient() {
  if (!options_.broker_endpoint) {
    UsageError("not connected to a broker; use 'connect EP' first");
    return nullptr;
  }
  if (!client_) {
    Status valid = CheckEndpoint(*options_.broker_endpoint);
    if (!valid.ok()) {
      UsageError("the broker endpoint " + valid.error().message);
      return nullptr;
    }
    client_.emplace(*options_.broker_endpoint, options_.client);
  }
  return &*client_;
}

int Session::Connect(const Command& command) {
  Status valid = CheckEndpoint(*command.endpoint);
  if (!valid.ok()) return UsageError("the endpoint " + valid.error().message);
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
  std::optional<std::string> endpoint = command.endpoint ? command.endpoint : options_.shutdown_endpoint;
  if (!endpoint) return UsageError("no shutdown endpoint; use 'shutdown --endpoint EP' or 'connect --shutdown EP'");
  Status valid = CheckEndpoint(*endpoint);
  if (!valid.ok()) return UsageError("the shutdown endpoint " + valid.error().message);
  return ShowReply(SendShutdown(*endpoint, options_.client), client_config::kShutdownOpName);
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

int Session::RunWords(const std::vector<std::string>& words) {
  Result<Command> command = ParseCommand(words);
  if (!command.ok()) return UsageError(command.error().message);
  return Run(command.value());
}

int Session::RunLine(std::string_view line) {
  Result<std::vector<std::string>> words = SplitCommandLine(line);
  if (!words.ok()) return UsageError(words.error().message);
  return RunWords(words.value());
}

}  // namespace ts::tsctl
