#include "clients/tsctl_history.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <histedit.h>

namespace ts::tsctl {

PromptHistory::PromptHistory(std::string path, int max_lines)
    : path_(std::move(path)), max_lines_(max_lines), history_(history_init()) {
  HistEvent event;
  history(history_, &event, H_SETSIZE, max_lines_);
}

PromptHistory::~PromptHistory() { history_end(history_); }

Status PromptHistory::Load() {
  if (path_.empty()) return Status::Ok();
  std::error_code missing;
  if (!std::filesystem::exists(path_, missing)) return Status::Ok();
  HistEvent event;
  const int read = history(history_, &event, H_LOAD, path_.c_str());
  if (read < 0) return Error{ErrorKind::kInternal, "cannot read the history file " + path_};
  if (read > 2 * max_lines_ && history(history_, &event, H_SAVE, path_.c_str()) < 0) {
    return Error{ErrorKind::kInternal, "cannot trim the history file " + path_};
  }
  return Status::Ok();
}

Status PromptHistory::Add(const std::string& line) {
  HistEvent event;
  history(history_, &event, H_ENTER, line.c_str());
  if (path_.empty()) return Status::Ok();
  // libedit's H_NSAVE_FP (3.1-20221030), asked for the last entry, wrote
  // others too (tried on an append-mode file); a one-line History saved
  // with H_SAVE_FP writes exactly this line (and the file's header line
  // only when the file is empty), in the format H_LOAD reads.
  History* one = history_init();
  history(one, &event, H_SETSIZE, 1);
  history(one, &event, H_ENTER, line.c_str());
  std::FILE* file = std::fopen(path_.c_str(), "a");
  int written = -1;
  if (file != nullptr) {
    written = history(one, &event, H_SAVE_FP, file);
    if (std::fclose(file) != 0) written = -1;
  }
  const int saved_errno = errno;
  history_end(one);
  if (written < 0) {
    return Error{ErrorKind::kInternal, "cannot append to the history file " + path_ + ": " + std::strerror(saved_errno)};
  }
  return Status::Ok();
}

std::vector<std::string> PromptHistory::Lines() const {
  std::vector<std::string> lines;
  HistEvent event;
  // H_LAST is the oldest entry; H_PREV walks towards the newest.
  for (int rc = history(history_, &event, H_LAST); rc == 0; rc = history(history_, &event, H_PREV)) {
    lines.emplace_back(event.str);
  }
  return lines;
}

}  // namespace ts::tsctl
