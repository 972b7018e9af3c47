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
    {"get", "get KEYEXP [VALEXP]", "pairs whose key and value fully match the patterns",
     "Patterns are Python regexes matched against the text form (user,42);\n"
     "VALEXP defaults to .* . Example: get 'user,\\d+' '.*'"},
    {"delete", "delete KEYEXP [VALEXP]", "remove the matching pairs and show them",
     "Same patterns as get. Example: delete 'session,.*'"},
    {"put", "put KEY VALUE [KEY VALUE ...]", "add pairs whose key is not yet present",
     "Tuples in text form: elements [A-Za-z0-9]+ joined by ','.\n"
     "Example: put user,1 alice user,2 bob. Pairs not added are listed with why."},
    {"post", "post KEY VALUE [KEY VALUE ...]", "update pairs whose key is present",
     "Example: post user,1 carol. Pairs not updated are listed with why."},
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

Result<Command> ParsePatterns(Command command, const std::vector<std::string>& words) {
  const size_t args = words.size() - 1;
  if (args < 1 || args > 2) {
    return Usage(command.name, command.name + " takes KEYEXP and an optional VALEXP; got " +
                                   Words(args) +
                                   (args > 2 ? " (" + Quoted(words, 1) + "); quote a pattern "
                                               "that contains spaces, and put options such as "
                                               "--json before the command" : ""));
  }
  std::string value_pattern = args == 2 ? words[2] : ".*";
  command.request = command.name == "get" ? MakeGet(words[1], value_pattern)
                                          : MakeDelete(words[1], value_pattern);
  return command;
}

Result<Command> ParsePairs(Command command, const std::vector<std::string>& words) {
  const size_t args = words.size() - 1;
  if (args == 0 || args % 2 != 0) {
    return Usage(command.name, command.name + " takes KEY VALUE pairs; got " + Words(args) + (args == 0 ? "" : " (an odd count)") +
                                   "; to send a malformed list on purpose, use put-raw");
  }
  command.request = command.name == "put" ? MakePut(PairsOf(words, 1)) : MakePost(PairsOf(words, 1));
  return command;
}

Result<Command> ParseSend(Command command, const std::vector<std::string>& words) {
  if (words.size() < 2) return Usage("send", "send needs an operation name");
  const std::string& op = words[1];
  const size_t args = words.size() - 2;
  const std::string op_lower = Lower(op);
  const bool takes_pairs = op_lower == "put" || op_lower == "post" || args > 2;
  if (takes_pairs && args % 2 != 0) {
    return Usage("send", "send " + op + " takes KEY VALUE pairs; got " + Words(args) +
                             " (an odd count); use put-raw for a malformed list");
  }
  command.request.op_name = op;
  if (takes_pairs) {
    command.request.pairs = PairsOf(words, 2);
  } else {
    if (args >= 1) command.request.key_pattern = words[2];
    if (args >= 2) command.request.value_pattern = words[3];
  }
  return command;
}

Result<Command> ParseSendRaw(Command command, const std::vector<std::string>& words) {
  if (words.size() == 3 && words[1] == "--hex") {
    Result<std::string> bytes = DecodeHex(words[2]);
    if (!bytes.ok()) return Usage("send-raw", bytes.error().message);
    command.raw_bytes = std::move(bytes).value();
    return command;
  }
  if (words.size() != 2 || words[1] == "--hex") {
    return Usage("send-raw", "send-raw takes one TEXT argument (quote it if it has spaces), or --hex HEX");
  }
  command.raw_bytes = words[1];
  return command;
}

// "--flag VALUE" or "--flag=VALUE" at words[index]; nullopt when not that flag.
std::optional<std::string> FlagValue(const std::vector<std::string>& words, size_t& index,
                                     std::string_view flag) {
  const std::string& word = words[index];
  if (word == flag && index + 1 < words.size()) return words[++index];
  if (word.size() > flag.size() && word.compare(0, flag.size(), flag) == 0 && word[flag.size()] == '=') {
    return word.substr(flag.size() + 1);
  }
  return std::nullopt;
}

Result<Command> ParseEndpointCommand(Command command, const std::vector<std::string>& words) {
  for (size_t i = 1; i < words.size(); ++i) {
    if (command.kind == CommandKind::kShutdown) {
      if (std::optional<std::string> endpoint = FlagValue(words, i, "--endpoint")) {
        command.endpoint = *endpoint;
        continue;
      }
    } else if (words[i] == "--shutdown") {
      command.shutdown_endpoint = true;
      continue;
    } else if (command.kind == CommandKind::kConnect && !command.endpoint && words[i].rfind("-", 0) != 0) {
      command.endpoint = words[i];
      continue;
    }
    return Usage(command.name, "unexpected argument '" + words[i] + "'");
  }
  if (command.kind == CommandKind::kConnect && !command.endpoint) {
    return Usage("connect", "connect needs an endpoint, e.g. tcp://127.0.0.1:5555");
  }
  return command;
}

}  // namespace

Result<std::vector<std::string>> SplitCommandLine(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c != '\'' && c != '"') {
      word += c;
      continue;
    }
    const size_t opened_at = i;
    for (++i; i < line.size() && line[i] != c; ++i) {
      if (c == '"' && line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) ++i;
      word += line[i];
    }
    if (i >= line.size()) {
      return Error{ErrorKind::kMalformedRequest, std::string("unclosed ") + c + " quote opened at column " +
                                                     std::to_string(opened_at + 1)};
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<Command> ParseCommand(const std::vector<std::string>& words) {
  Command command;
  if (words.empty()) return command;
  command.name = Lower(words[0]);
  if (command.name == "exit") command.name = "quit";
  if (command.name == "get" || command.name == "delete") {
    command.kind = CommandKind::kRequest;
    return ParsePatterns(std::move(command), words);
  }
  if (command.name == "put" || command.name == "post") {
    command.kind = CommandKind::kRequest;
    return ParsePairs(std::move(command), words);
  }
  if (command.name == "send") {
    command.kind = CommandKind::kRequest;
    return ParseSend(std::move(command), words);
  }
  if (command.name == "send-raw") {
    command.kind = CommandKind::kSendRaw;
    return ParseSendRaw(std::move(command), words);
  }
  if (command.name == "put-raw") {
    command.kind = CommandKind::kPutRaw;
    command.raw_items.assign(words.begin() + 1, words.end());
    return command;
  }
  if (command.name == "shutdown" || command.name == "connect" || command.name == "disconnect") {
    command.kind = command.name == "shutdown"  ? CommandKind::kShutdown
                   : command.name == "connect" ? CommandKind::kConnect
                                               : CommandKind::kDisconnect;
    return ParseEndpointCommand(std::move(command), words);
  }
  if (command.name == "status" || command.name == "quit") {
    if (words.size() > 1) return Usage(command.name, command.name + " takes no arguments");
    command.kind = command.name == "status" ? CommandKind::kStatus : CommandKind::kQuit;
    if (command.kind == CommandKind::kStatus) command.request.op_name = client_config::kStatusOpName;
    return command;
  }
  if (command.name == "help" || command.name == "--help" || command.name == "-h" || command.name == "?") {
    command.name = "help";
    command.kind = CommandKind::kHelp;
    if (words.size() > 2) return Usage("help", "help takes at most one command name");
    if (words.size() == 2) command.help_topic = Lower(words[1]);
    return command;
  }
  std::string message = "unknown command '" + words[0] + "'";
  for (const CommandInfo& info : kCommands) {
    if (EditDistance(command.name, info.name) <= 2) {
      message += "; did you mean '" + std::string(info.name) + "'?";
      break;
    }
  }
  return Error{ErrorKind::kMalformedRequest, message + " (try 'help')"};
}

Result<std::string> DecodeHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) {
    return Error{ErrorKind::kMalformedRequest,
                 "hex needs an even number of digits; got " + std::to_string(hex.size())};
  }
  std::string bytes;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int high = nibble(hex[i]);
    int low = nibble(hex[i + 1]);
    if (high < 0 || low < 0) {
      size_t bad = high < 0 ? i : i + 1;
      return Error{ErrorKind::kMalformedRequest, "'" + std::string(1, hex[bad]) + "' at position " +
                                                     std::to_string(bad + 1) + " is not a hex digit"};
    }
    bytes += static_cast<char>(high * 16 + low);
  }
  return bytes;
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
