#include "clients/tsctl_prompt.h"

#include <histedit.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include "clients/client_config.h"
#include "clients/tsctl_complete.h"
#include "clients/tsctl_history.h"

namespace ts::tsctl {
namespace {

// Set by SIGINT (Ctrl-C). The handler is installed without SA_RESTART, so a
// read() or a ZeroMQ poll under way returns EINTR and looks at it.
volatile std::sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) { g_interrupted = 1; }

std::string g_prompt;  // what PromptText shows; set before each line
char* PromptText(EditLine*) { return g_prompt.data(); }

std::string HistoryPath() {
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') return "";
  return std::string(home) + "/" + client_config::kPromptHistoryFile;
}

bool IsBlank(const std::string& line) { return line.find_first_not_of(" \t\r\n") == std::string::npos; }

// One byte of the terminal: 1 read, 0 end of input, -1 interrupted or failed.
int ReadByte(unsigned char& byte) {
  while (true) {
    if (g_interrupted) return -1;
    const ssize_t n = ::read(STDIN_FILENO, &byte, 1);
    if (n == 1) return byte == 0x03 ? (g_interrupted = 1, -1) : 1;  // ^C as a byte: ISIG off
    if (n == 0) return 0;
    if (errno != EINTR) return -1;
  }
}

// libedit's character reader (EL_GETCFN): one UTF-8 character as a wchar_t.
// Ours, not libedit's, because libedit's own read retries a read() that a
// signal interrupted, and then Ctrl-C would not end the line.
int ReadCharacter(EditLine*, wchar_t* character) {
  unsigned char lead = 0;
  if (int got = ReadByte(lead); got != 1) return got;
  const int length = lead < 0x80 ? 1 : (lead & 0xe0) == 0xc0 ? 2 : (lead & 0xf0) == 0xe0 ? 3 : (lead & 0xf8) == 0xf0 ? 4 : 1;
  uint32_t code = length == 1 ? lead : lead & (0x7f >> length);
  for (int i = 1; i < length; ++i) {
    unsigned char next = 0;
    if (int got = ReadByte(next); got != 1) return got;
    code = (code << 6) | (next & 0x3f);
  }
  *character = static_cast<wchar_t>(code);
  return 1;
}

// Bound to Tab: inserts what CompleteLine says, or lists the candidates.
unsigned char CompleteAtCursor(EditLine* editor, int) {
  const LineInfo* line = el_line(editor);
  const Completion completion = CompleteLine(std::string(line->buffer, line->cursor));
  if (!completion.insert.empty()) {
    if (el_insertstr(editor, completion.insert.c_str()) != 0) return CC_ERROR;
    return CC_REFRESH;
  }
  if (completion.candidates.size() > 1) {
    std::string listing = "\n";
    for (const std::string& candidate : completion.candidates) listing += candidate + "  ";
    std::cout << listing << std::endl;
    return CC_REDISPLAY;
  }
  return CC_REFRESH_BEEP;
}

class InterruptHandler {
 public:
  InterruptHandler() {
    struct sigaction action {};
    action.sa_handler = OnInterrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: an interrupted read must return
    ::sigaction(SIGINT, &action, &previous_);
  }
  ~InterruptHandler() { ::sigaction(SIGINT, &previous_, nullptr); }

 private:
  struct sigaction previous_ {};
};

int RunTerminalPrompt(Session& session) {
  PromptHistory history(HistoryPath(), client_config::kPromptHistoryLines);
  if (Status loaded = history.Load(); !loaded.ok()) std::cerr << "tsctl: " << loaded.error().message << "\n";

  EditLine* editor = el_init("tsctl", stdin, stdout, stderr);
  if (editor == nullptr) {
    std::cerr << "tsctl: cannot set up line editing on this terminal\n";
    return kExitUsage;
  }
  el_set(editor, EL_EDITOR, "emacs");
  el_set(editor, EL_PROMPT, PromptText);
  el_set(editor, EL_HIST, ::history, history.handle());
  el_set(editor, EL_GETCFN, ReadCharacter);
  el_set(editor, EL_ADDFN, "tsctl-complete", "complete a command name or option", CompleteAtCursor);
  el_set(editor, EL_BIND, "^I", "tsctl-complete", nullptr);
  el_source(editor, nullptr);  // ~/.editrc, as other libedit programs read it

  InterruptHandler interrupts;
  std::cout << "tsctl: type 'help' for commands, Tab completes, 'quit' or Ctrl-D to leave" << std::endl;
  int last_exit = kExitOk;  // the worst exit code seen
  while (!session.quit_requested()) {
    g_prompt = session.Prompt();
    g_interrupted = 0;
    int count = 0;
    const char* raw_line = el_gets(editor, &count);
    if (g_interrupted) {  // Ctrl-C: drop the line, stay
      std::cout << "^C" << std::endl;
      continue;
    }
    if (raw_line == nullptr || count <= 0) {  // Ctrl-D, or the terminal went away
      std::cout << std::endl;
      break;
    }
    std::string line(raw_line);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (IsBlank(line)) continue;
    if (Status added = history.Add(line); !added.ok()) std::cerr << "tsctl: " << added.error().message << "\n";
    last_exit = std::max(last_exit, session.RunLine(line));
    std::cout.flush();
  }
  el_end(editor);
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
