// tsctl's command language, shared by one-shot use (`tsctl get a .*`) and the
// interactive prompt: a line is split into words, the words into a Command.
// tsctl's own options (--json, ...) are taken out of the words first
// (clients/tsctl_options.h); what is left here is the command word, its
// arguments and its own options (send-raw --hex, shutdown --endpoint,
// connect/disconnect --shutdown), with "--" ending the options. Parsing never
// talks to the network; a bad command is an Error whose message says what was
// expected (tsctl exits 2 on it).
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
  kPing,        // a GET no key can match: a timed round trip through broker and primary
  kCount,       // a GET whose reply is counted here
  kWatch,       // WATCH long polls, each change printed as it comes
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
  Request request;                      // kRequest, kStatus, kPing, kCount (id set when sent)
  std::string raw_bytes;                // kSendRaw
  std::vector<std::string> raw_items;   // kPutRaw
  std::optional<std::string> endpoint;  // kShutdown --endpoint, kConnect
  bool shutdown_endpoint = false;       // kConnect/kDisconnect: which endpoint
  std::string help_topic;               // kHelp
  uint64_t watch_max_changes = 0;       // kWatch --count N: stop after N changes (0: never)
  uint32_t watch_for_ms = 0;            // kWatch --for MS: stop after MS (0: never)
};

// Splits a prompt line into words: blanks separate words; '...' and "..."
// group (inside "...", \" and \\ are escapes); a backslash elsewhere is kept
// as is, so regexes like user,\d+ need no quoting.
Result<std::vector<std::string>> SplitCommandLine(std::string_view line);

// Parses words (command first). Command words are case-insensitive.
Result<Command> ParseCommand(const std::vector<std::string>& words);

// An option that belongs to particular commands; nullptr when `name`
// ("--hex") is none.
struct CommandOption {
  const char* name;
  const char* command;
  bool takes_value;
};
const CommandOption* FindCommandOption(std::string_view name);
std::vector<std::string> CommandOptionNames(std::string_view command);  // {"--hex"} for send-raw

// Every command word, in the order `help` lists them (for Tab completion).
std::vector<std::string> CommandNames();

// ping's key pattern: a literal (so the space looks up one key, in O(log n))
// that no stored key can equal, since a key's elements are never empty.
inline constexpr const char* kPingKeyPattern = ",ping";

// "ff00" -> "\xff\x00"; an error naming the offending position otherwise.
Result<std::string> DecodeHex(std::string_view hex);

// The list of commands (topic empty) or one command's usage and examples.
std::string HelpText(std::string_view topic = "");

}  // namespace ts::tsctl
