// tsctl's command language, shared by one-shot use (`tsctl get a .*`) and the
// interactive prompt: a line is split into words, the words into a Command.
// Parsing never talks to the network; a bad command is an Error whose
// message says what was expected (tsctl exits 2 on it).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "schema/messages.h"

namespace ts::tsctl {

enum class CommandKind {
  kNothing,     // an empty line
  kRequest,     // get, delete, put, post, send: a Request to the broker
  kStatus,      // a STATUS Request to the broker
  kSendRaw,     // bytes that need not be a message
  kPutRaw,      // a purported pair list, exactly as typed
  kShutdown,    // the shutdown command, to the shutdown endpoint
  kHelp,
  kConnect,     // prompt: (re)connect the request or shutdown endpoint
  kDisconnect,  // prompt: forget the request or shutdown endpoint
  kQuit,        // prompt: leave
};

struct Command {
  CommandKind kind = CommandKind::kNothing;
  std::string name;                     // the command word, lower case
  Request request;                      // kRequest, kStatus (id set when sent)
  std::string raw_bytes;                // kSendRaw
  std::vector<std::string> raw_items;   // kPutRaw
  std::optional<std::string> endpoint;  // kShutdown --endpoint, kConnect
  bool shutdown_endpoint = false;       // kConnect/kDisconnect: which endpoint
  std::string help_topic;               // kHelp
};

// Splits a prompt line into words: blanks separate words; '...' and "..."
// group (inside "...", \" and \\ are escapes); a backslash elsewhere is kept
// as is, so regexes like user,\d+ need no quoting.
Result<std::vector<std::string>> SplitCommandLine(std::string_view line);

// Parses words (command first). Command words are case-insensitive.
Result<Command> ParseCommand(const std::vector<std::string>& words);

// "ff00" -> "\xff\x00"; an error naming the offending position otherwise.
Result<std::string> DecodeHex(std::string_view hex);

// The list of commands (topic empty) or one command's usage and examples.
std::string HelpText(std::string_view topic = "");

}  // namespace ts::tsctl
