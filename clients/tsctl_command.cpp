#include "clients/tsctl_command.h"

#include <algorithm>
#include <cctype>

#include "clients/client_config.h"

namespace ts::tsctl {
namespace {

struct CommandInfo {
  const char* name;
  const char* usage;
  const char* summary;
  const char* details;  // may be empty
};

// Every command, in the order `help` lists them.
constexpr CommandInfo kCommands[] = {
    {"get", "get KEYEXP [VALEXP] [--limit N [--after KEY]] [--wait MS]",
     "pairs whose key and value fully match the patterns",
     "Patterns are Python regexes matched against the text form (user,42);\n"
     "VALEXP defaults to .* . Example: get 'user,\\d+' '.*'\n"
     "--limit N pages: at most N pairs, in key order, and whether more remain;\n"
     "--after KEY starts after that key (the last of the previous page):\n"
     "get 'user,.*' --limit 100 --after user,417\n"
     "--wait MS: when nothing matches, wait up to MS ms (at most 60000) for a\n"
     "pair that does (Linda's rd)."},
    {"take", "take KEYEXP [VALEXP] [--wait MS]", "remove and show one matching pair, the first in key order",
     "Atomic and exactly-once: several workers can take from one pattern and\n"
     "each pair goes to one of them (Linda's in). --wait MS: when nothing\n"
     "matches, wait up to MS ms (at most 60000) for a pair. Nothing taken:\n"
     "exit 1. Example: take 'job,.*' --wait 5000"},
    {"watch", "watch KEYEXP [VALEXP] [--from SEQ] [--count N] [--for MS]",
     "print every later matching change, one line each, as it happens",
     "Lines: SEQ OP KEY VALUE (OP: PUT, POST, DELETE, TAKE, UNDO), flushed one\n"
     "by one. SEQ is the log position: --from SEQ resumes after it (also on\n"
     "another primary, after a failover). --count N stops after N changes,\n"
     "--for MS after MS ms; otherwise until Ctrl-C. Example: watch 'user,.*'"},
    {"count", "count KEYEXP [VALEXP]", "how many pairs match (counted here, from a get)",
     "Counted by tsctl, not by the space: it sends a get and counts the pairs\n"
     "of the reply, so every matching pair crosses the wire, and the space's\n"
     "reply limit applies. Example: count 'user,.*'"},
    {"delete", "delete KEYEXP [VALEXP]", "remove the matching pairs and show them",
     "Same patterns as get. Example: delete 'session,.*'"},
    {"put", "put KEY VALUE [KEY VALUE ...]", "add pairs whose key is not yet present",
     "Tuples in text form: elements [A-Za-z0-9]+ joined by ','.\n"
     "Example: put user,1 alice user,2 bob. Pairs not added are listed with why\n"
     "(and tsctl exits 1)."},
    {"post", "post KEY VALUE [KEY VALUE ...]", "update pairs whose key is present",
     "Example: post user,1 carol. Pairs not updated are listed with why\n"
     "(and tsctl exits 1)."},
    {"ping", "ping", "a timed round trip through the broker and the primary",
     "Sends a get of a key no pair can have (',ping'), so the primary answers\n"
     "without scanning; shows who answered and the time it took."},
    {"send", "send OP [ARG ...]", "send any operation name, exactly as typed",
     "For OP put or post (any case) the ARGs are KEY VALUE pairs; otherwise up to\n"
     "two ARGs are KEYEXP VALEXP and more than two are KEY VALUE pairs.\n"
     "Example: send FROB a b  (the service answers 'not implemented')."},
    {"send-raw", "send-raw TEXT | send-raw --hex HEX", "send bytes that need not be a message",
     "The bytes go out as the request frame unchanged. Example: send-raw --hex 00ff"},
    {"put-raw", "put-raw [ITEM ...]", "send a PUT pair list exactly as typed",
     "ITEMs pair up as key, value; each splits on ',' unchecked. An odd count\n"
     "leaves the last pair without a value, so malformed lists reach the server."},
    {"status", "status", "the cluster as the broker sees it", ""},
    {"shutdown", "shutdown [--endpoint EP]", "shut the whole service down, data saved",
     "Sent to the broker's shutdown endpoint (see --shutdown-endpoint)."},
    {"help", "help [COMMAND]", "list the commands, or explain one", ""},
    {"connect", "connect [--shutdown] EP", "prompt: use EP for requests (or shutdown)",
     "Example: connect tcp://127.0.0.1:5555"},
    {"disconnect", "disconnect [--shutdown]", "prompt: forget the request (or shutdown) endpoint", ""},
    {"quit", "quit", "prompt: leave (also exit, Ctrl-D)", ""},
};

// The options particular commands take (tsctl's own are in tsctl_options.cpp).
constexpr CommandOption kCommandOptions[] = {
    {"--hex", "send-raw", true},
    {"--endpoint", "shutdown", true},
    {"--shutdown", "connect", false},
    {"--shutdown", "disconnect", false},
    {"--limit", "get", true},
    {"--after", "get", true},
    {"--wait", "get", true},
    {"--wait", "take", true},
    {"--from", "watch", true},
    {"--count", "watch", true},
    {"--for", "watch", true},
};

const CommandInfo* FindCommand(std::string_view name) {
  for (const CommandInfo& info : kCommands) {
    if (name == info.name) return &info;
  }
  return nullptr;
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

Error Usage(const std::string& command, const std::string& problem) {
  const CommandInfo* info = FindCommand(command);
  std::string message = problem;
  if (info != nullptr) message += "\nusage: " + std::string(info->usage);
  return Error{ErrorKind::kMalformedRequest, message};
}

std::string Words(size_t count) { return std::to_string(count) + (count == 1 ? " word" : " words"); }

std::string Quoted(const std::vector<std::string>& words, size_t from) {
  std::string text;
  for (size_t i = from; i < words.size(); ++i) text += (text.empty() ? "'" : " '") + words[i] + "'";
  return text;
}

std::vector<Pair> PairsOf(const std::vector<std::string>& words, size_t from) {
  std::vector<Pair> pairs;
  for (size_t i = from; i + 1 < words.size(); i += 2) {
    pairs.push_back(Pair{SplitTupleText(words[i]), SplitTupleText(words[i + 1])});
  }
  return pairs;
}

// A command's words after the command word: its own options, and the rest.
struct CommandWords {
  std::vector<std::pair<std::string, std::string>> options;  // name, value ("" for a flag)
  std::vector<std::string> arguments;
};

bool LooksLikeOption(const std::string& word) { return word.size() > 2 && word.compare(0, 2, "--") == 0; }

// Splits off the command's options; "--" ends them. An option of another
// command, or of no command, is an error naming it.
Result<CommandWords> SplitCommandWords(const std::string& command, const std::vector<std::string>& words) {
  CommandWords split;
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "--") {
      split.arguments.insert(split.arguments.end(), words.begin() + static_cast<long>(i) + 1, words.end());
      break;
    }
    if (!LooksLikeOption(word)) {
      split.arguments.push_back(word);
      continue;
    }
    const size_t equals = word.find('=');
    const std::string name = word.substr(0, equals);
    const CommandOption* option = nullptr;
    const CommandOption* elsewhere = nullptr;
    for (const CommandOption& candidate : kCommandOptions) {
      if (name != candidate.name) continue;
      if (command == candidate.command) option = &candidate;
      if (elsewhere == nullptr) elsewhere = &candidate;
    }
    if (option == nullptr) {
      std::string problem = elsewhere != nullptr
                                ? "'" + name + "' is an option of " + elsewhere->command + ", not of " + command
                                : command + " has no option '" + name + "'";
      return Usage(command, problem + "; a pattern or item that starts with '--' goes after a '--' word");
    }
    std::string value;
    if (equals != std::string::npos) {
      if (!option->takes_value) return Usage(command, name + " takes no value");
      value = word.substr(equals + 1);
    } else if (option->takes_value) {
      if (i + 1 >= words.size()) return Usage(command, name + " needs a value");
      value = words[++i];
    }
    split.options.emplace_back(name, std::move(value));
  }
  return split;
}

// A whole number from `min` to `max`, or nullopt.
std::optional<uint64_t> NumberIn(const std::string& value, uint64_t min, uint64_t max) {
  const bool digits = !value.empty() && value.size() <= 19 && value.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) return std::nullopt;
  const uint64_t number = std::stoull(value);
  if (number < min || number > max) return std::nullopt;
  return number;
}

Result<uint32_t> WaitOption(const std::string& command, const std::string& name, const std::string& value) {
  std::optional<uint64_t> ms = NumberIn(value, 0, client_config::kMaxWaitMs);
  if (!ms) {
    return Usage(command, name + " must be a whole number of milliseconds from 0 to " +
                              std::to_string(client_config::kMaxWaitMs) + ", not '" + value + "'");
  }
  return static_cast<uint32_t>(*ms);
}

// take's and watch's options (get's are ParsePage's).
Result<Command> ParseWaitOptions(Command command, const CommandWords& words) {
  for (const auto& [name, value] : words.options) {
    if (name == "--wait" || name == "--for") {
      Result<uint32_t> ms = WaitOption(command.name, name, value);
      if (!ms.ok()) return ms.error();
      (name == "--wait" ? command.request.wait_ms : command.watch_for_ms) = ms.value();
    } else if (name == "--from" || name == "--count") {
      std::optional<uint64_t> number = NumberIn(value, 1, UINT64_MAX / 2);
      if (!number) return Usage(command.name, name + " must be a whole number from 1 up, not '" + value + "'");
      (name == "--from" ? command.request.after_seq : command.watch_max_changes) = *number;
    }
  }
  return command;
}

// get's --limit N, --after KEY and --wait MS.
Result<Command> ParsePage(Command command, const CommandWords& words) {
  for (const auto& [name, value] : words.options) {
    if (name == "--wait") {
      Result<uint32_t> ms = WaitOption("get", name, value);
      if (!ms.ok()) return ms.error();
      command.request.wait_ms = ms.value();
      continue;
    }
    if (name == "--after") {
      if (value.empty()) return Usage("get", "--after needs a key, e.g. --after user,417");
      command.request.after_key = value;
      continue;
    }
    const bool digits = !value.empty() && value.size() <= 7 && value.find_first_not_of("0123456789") == std::string::npos;
    const uint64_t limit = digits ? std::stoull(value) : 0;
    if (limit < 1 || limit > client_config::kMaxPageLimit) {
      return Usage("get", "--limit must be a whole number from 1 to " + std::to_string(client_config::kMaxPageLimit) +
                              ", not '" + value + "'");
    }
    command.request.limit = static_cast<uint32_t>(limit);
  }
  return command;
}

Result<Command> ParsePatterns(Command command, const std::vector<std::string>& args) {
  if (args.size() < 1 || args.size() > 2) {
    return Usage(command.name, command.name + " takes KEYEXP and an optional VALEXP; got " + Words(args.size()) +
                                   (args.size() > 2 ? " (" + Quoted(args, 0) + "); quote a pattern "
                                                      "that contains spaces" : ""));
  }
  std::string value_pattern = args.size() == 2 ? args[1] : ".*";
  if (command.name == "delete") {
    command.request = MakeDelete(args[0], value_pattern);
  } else if (command.name == "take") {
    command.request = MakeTake(args[0], value_pattern);
  } else if (command.name == "watch") {
    command.request = MakeWatch(args[0], value_pattern, 0, client_config::kWatchPollMs);
  } else {
    command.request = MakeGet(args[0], value_pattern);
  }
  return command;
}

Result<Command> ParsePairs(Command command, const std::vector<std::string>& args) {
  if (args.empty() || args.size() % 2 != 0) {
    return Usage(command.name, command.name + " takes KEY VALUE pairs; got " + Words(args.size()) +
                                   (args.empty() ? "" : " (an odd count)") +
                                   "; to send a malformed list on purpose, use put-raw");
  }
  command.request = command.name == "put" ? MakePut(PairsOf(args, 0)) : MakePost(PairsOf(args, 0));
  return command;
}

Result<Command> ParseSend(Command command, const std::vector<std::string>& args) {
  if (args.empty()) return Usage("send", "send needs an operation name");
  const std::string& op = args[0];
  const size_t count = args.size() - 1;
  const std::string op_lower = Lower(op);
  const bool takes_pairs = op_lower == "put" || op_lower == "post" || count > 2;
  if (takes_pairs && count % 2 != 0) {
    return Usage("send", "send " + op + " takes KEY VALUE pairs; got " + Words(count) +
                             " (an odd count); use put-raw for a malformed list");
  }
  command.request.op_name = op;
  if (takes_pairs) {
    command.request.pairs = PairsOf(args, 1);
  } else {
    if (count >= 1) command.request.key_pattern = args[1];
    if (count >= 2) command.request.value_pattern = args[2];
  }
  return command;
}

Result<Command> ParseSendRaw(Command command, const CommandWords& words) {
  if (words.options.size() == 1 && words.arguments.empty()) {
    Result<std::string> bytes = DecodeHex(words.options[0].second);
    if (!bytes.ok()) return Usage("send-raw", bytes.error().message);
    command.raw_bytes = std::move(bytes).value();
    return command;
  }
  if (words.arguments.size() != 1 || !words.options.empty()) {
    return Usage("send-raw", "send-raw takes one TEXT argument (quote it if it has spaces), or --hex HEX");
  }
  command.raw_bytes = words.arguments[0];
  return command;
}

Result<Command> ParseEndpointCommand(Command command, const CommandWords& words) {
  for (const auto& [name, value] : words.options) {
    if (name == "--endpoint") command.endpoint = value;
    if (name == "--shutdown") command.shutdown_endpoint = true;
  }
  for (const std::string& argument : words.arguments) {
    if (command.kind == CommandKind::kConnect && !command.endpoint) {
      command.endpoint = argument;
      continue;
    }
    return Usage(command.name, "unexpected argument '" + argument + "'");
  }
  if (command.kind == CommandKind::kConnect && !command.endpoint) {
    return Usage("connect", "connect needs an endpoint, e.g. tcp://127.0.0.1:5555");
  }
  return command;
}

}  // namespace

Result<Command> ParseCommand(const std::vector<std::string>& words) {
  Command command;
  if (words.empty()) return command;
  command.name = Lower(words[0]);
  if (command.name == "exit") command.name = "quit";
  if (command.name == "--help" || command.name == "-h" || command.name == "?") command.name = "help";
  if (FindCommand(command.name) == nullptr) {
    std::string message = "unknown command '" + words[0] + "'";
    for (const CommandInfo& info : kCommands) {
      if (EditDistance(command.name, info.name) <= 2) {
        message += "; did you mean '" + std::string(info.name) + "'?";
        break;
      }
    }
    return Error{ErrorKind::kMalformedRequest, message + " (try 'help')"};
  }
  Result<CommandWords> split = SplitCommandWords(command.name, words);
  if (!split.ok()) return split.error();
  const std::vector<std::string>& args = split.value().arguments;
  if (command.name == "get" || command.name == "delete" || command.name == "count") {
    command.kind = command.name == "count" ? CommandKind::kCount : CommandKind::kRequest;
    Result<Command> parsed = ParsePatterns(std::move(command), args);
    if (!parsed.ok() || parsed.value().name != "get") return parsed;
    return ParsePage(std::move(parsed).value(), split.value());
  }
  if (command.name == "take" || command.name == "watch") {
    command.kind = command.name == "watch" ? CommandKind::kWatch : CommandKind::kRequest;
    Result<Command> parsed = ParsePatterns(std::move(command), args);
    if (!parsed.ok()) return parsed;
    return ParseWaitOptions(std::move(parsed).value(), split.value());
  }
  if (command.name == "put" || command.name == "post") {
    command.kind = CommandKind::kRequest;
    return ParsePairs(std::move(command), args);
  }
  if (command.name == "send") {
    command.kind = CommandKind::kRequest;
    return ParseSend(std::move(command), args);
  }
  if (command.name == "send-raw") {
    command.kind = CommandKind::kSendRaw;
    return ParseSendRaw(std::move(command), split.value());
  }
  if (command.name == "put-raw") {
    command.kind = CommandKind::kPutRaw;
    command.raw_items = args;
    return command;
  }
  if (command.name == "shutdown" || command.name == "connect" || command.name == "disconnect") {
    command.kind = command.name == "shutdown"  ? CommandKind::kShutdown
                   : command.name == "connect" ? CommandKind::kConnect
                                               : CommandKind::kDisconnect;
    return ParseEndpointCommand(std::move(command), split.value());
  }
  if (command.name == "help") {
    command.kind = CommandKind::kHelp;
    if (args.size() > 1) return Usage("help", "help takes at most one command name");
    if (args.size() == 1) command.help_topic = Lower(args[0]);
    return command;
  }
  // status, ping, quit: no arguments.
  if (!args.empty()) return Usage(command.name, command.name + " takes no arguments");
  if (command.name == "status") {
    command.kind = CommandKind::kStatus;
    command.request.op_name = client_config::kStatusOpName;
  } else if (command.name == "ping") {
    command.kind = CommandKind::kPing;
    command.request = MakeGet(kPingKeyPattern, ".*");
  } else {
    command.kind = CommandKind::kQuit;
  }
  return command;
}

const CommandOption* FindCommandOption(std::string_view name) {
  for (const CommandOption& option : kCommandOptions) {
    if (name == option.name) return &option;
  }
  return nullptr;
}

std::vector<std::string> CommandOptionNames(std::string_view command) {
  std::vector<std::string> names;
  for (const CommandOption& option : kCommandOptions) {
    if (command == option.command) names.emplace_back(option.name);
  }
  return names;
}

std::vector<std::string> CommandNames() {
  std::vector<std::string> names;
  for (const CommandInfo& info : kCommands) names.emplace_back(info.name);
  names.emplace_back("exit");
  return names;
}

std::string HelpText(std::string_view topic) {
  if (!topic.empty()) {
    const CommandInfo* info = FindCommand(topic == "exit" ? "quit" : topic);
    if (info == nullptr) return "no command '" + std::string(topic) + "'; 'help' lists them\n";
    std::string text = "usage: " + std::string(info->usage) + "\n  " + info->summary + "\n";
    if (*info->details != '\0') text += std::string(info->details) + "\n";
    return text;
  }
  std::string text = "commands:\n";
  for (const CommandInfo& info : kCommands) {
    std::string usage = info.usage;
    usage.resize(std::max<size_t>(usage.size(), 36), ' ');
    text += "  " + usage + "  " + info.summary + "\n";
  }
  text += "'help COMMAND' explains one. Tuples are written user,42; patterns are Python regexes.\n";
  return text;
}

}  // namespace ts::tsctl
