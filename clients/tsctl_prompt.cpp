#include "clients/tsctl_prompt.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <editline/readline.h>

#include "clients/client_config.h"

namespace ts::tsctl {
namespace {

std::string HistoryPath() {
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') return "";
  return std::string(home) + "/" + client_config::kPromptHistoryFile;
}

bool IsBlank(const std::string& line) { return line.find_first_not_of(" \t\r\n") == std::string::npos; }

int RunTerminalPrompt(Session& session) {
  const std::string history = HistoryPath();
  using_history();
  stifle_history(client_config::kPromptHistoryLines);
  if (!history.empty()) read_history(history.c_str());  // a missing file is fine

  std::cout << "tsctl: type 'help' for commands, 'quit' or Ctrl-D to leave" << std::endl;
  int last_exit = kExitOk;  // the worst exit code seen
  while (!session.quit_requested()) {
    const std::string prompt = session.Prompt();
    char* raw_line = readline(prompt.c_str());
    if (raw_line == nullptr) {  // Ctrl-D
      std::cout << std::endl;
      break;
    }
    std::string line(raw_line);
    std::free(raw_line);
    if (IsBlank(line)) continue;
    add_history(line.c_str());
    last_exit = std::max(last_exit, session.RunLine(line));
    std::cout.flush();
  }
  if (!history.empty()) write_history(history.c_str());
  return last_exit;
}

int RunPipedPrompt(Session& session) {
  int last_exit = kExitOk;  // the worst exit code seen
  std::string line;
  while (!session.quit_requested() && std::getline(std::cin, line)) {
    if (IsBlank(line) || line.find_first_not_of(" \t") == line.find('#')) continue;  // blank or comment
    last_exit = std::max(last_exit, session.RunLine(line));
    std::cout.flush();
  }
  return last_exit;
}

}  // namespace

int RunPrompt(Session& session) {
  return isatty(STDIN_FILENO) ? RunTerminalPrompt(session) : RunPipedPrompt(session);
}

}  // namespace ts::tsctl
