// tsctl: the tuplestar command-line client.
//   tsctl [OPTIONS] [COMMAND [ARG ...]]     (options anywhere: tsctl_options.h)
// With a command it runs it once and exits (0 done, 1 the service refused
// something, 2 usage, 3 service unreachable: tsctl_session.h); with none it
// opens the interactive prompt (tsctl_prompt.h).
#include <iostream>
#include <string>
#include <vector>

#include "clients/tsctl_options.h"
#include "clients/tsctl_prompt.h"
#include "clients/tsctl_session.h"

using ts::tsctl::kExitOk;
using ts::tsctl::kExitUsage;

int main(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  ts::Result<ts::tsctl::SplitWords> split = ts::tsctl::SplitOptionWords(words);
  if (!split.ok()) {
    std::cerr << "tsctl: " << split.error().message << "\n(tsctl --help lists the options and commands)\n";
    return kExitUsage;
  }
  if (split.value().version) {
    std::cout << ts::tsctl::VersionText();
    return kExitOk;
  }
  if (split.value().help) {
    std::cout << ts::tsctl::HelpForWords(split.value().command_words);
    return kExitOk;
  }
  ts::tsctl::TsctlOptions options;
  ts::Status applied = ts::tsctl::ApplyOptionWords(split.value().option_words, /*from_environment=*/true, options);
  if (!applied.ok()) {
    std::cerr << "tsctl: " << applied.error().message << "\n(tsctl --help lists the options and commands)\n";
    return kExitUsage;
  }
  ts::tsctl::SessionOptions session_options = ts::tsctl::MakeSessionOptions(options);
  if (!split.value().command_words.empty()) {
    ts::tsctl::Session session(session_options, std::cout, std::cerr);
    return session.RunWords(split.value().command_words);
  }
  session_options.interactive = true;
  ts::tsctl::Session session(session_options, std::cout, std::cerr);
  return ts::tsctl::RunPrompt(session);
}
