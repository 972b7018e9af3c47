// Tab completion in tsctl's prompt, with no terminal in sight: given the line
// up to the cursor, what to insert and which words fit. The first word
// completes to a command name (so does the word after `help`); a word that
// starts with '-' completes to tsctl's options and the command's own. The
// prompt (tsctl_prompt.cpp) inserts the text and lists the candidates.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ts::tsctl {

struct Completion {
  // Added at the cursor: the rest of the only candidate and a blank, or the
  // longest prefix the candidates share; empty when there is nothing to add.
  std::string insert;
  std::vector<std::string> candidates;  // every word that fits, sorted
};

Completion CompleteLine(std::string_view before_cursor);

}  // namespace ts::tsctl
