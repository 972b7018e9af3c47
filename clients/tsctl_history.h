// The prompt's history: the lines kept in memory for libedit's Up/Down and
// the file they persist in (~/.tsctl_history, in libedit's own format, so
// earlier files load). Each line is appended to the file the moment it is
// entered, so a prompt that is killed keeps every line it took. The file is
// trimmed to the last `max_lines` when it is loaded past twice that.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

struct history;  // libedit's History

namespace ts::tsctl {

class PromptHistory {
 public:
  // An empty `path` keeps history in memory only.
  PromptHistory(std::string path, int max_lines);
  ~PromptHistory();
  PromptHistory(const PromptHistory&) = delete;
  PromptHistory& operator=(const PromptHistory&) = delete;

  // Reads the file; a missing one is fine (nothing yet).
  Status Load();
  // Remembers `line` and appends it to the file at once.
  Status Add(const std::string& line);

  std::vector<std::string> Lines() const;  // oldest first
  struct history* handle() { return history_; }  // for el_set(EL_HIST, ...)
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int max_lines_;
  struct history* history_;
};

}  // namespace ts::tsctl
