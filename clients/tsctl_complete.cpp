#include "clients/tsctl_complete.h"

#include <algorithm>
#include <cctype>

#include "clients/tsctl_command.h"
#include "clients/tsctl_options.h"

namespace ts::tsctl {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::vector<std::string> WordsOf(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsBlank(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsBlank(text[i])) ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

Completion CompleteLine(std::string_view before_cursor) {
  size_t word_start = before_cursor.size();
  while (word_start > 0 && !IsBlank(before_cursor[word_start - 1])) --word_start;
  const std::string partial(before_cursor.substr(word_start));
  const std::vector<std::string> before = WordsOf(before_cursor.substr(0, word_start));

  std::vector<std::string> vocabulary;
  if (!partial.empty() && partial[0] == '-') {
    vocabulary = OptionNames();
    if (!before.empty()) {
      for (const std::string& name : CommandOptionNames(Lower(before[0]))) vocabulary.push_back(name);
    }
  } else if (before.empty() || (before.size() == 1 && Lower(before[0]) == "help")) {
    vocabulary = CommandNames();
  }

  Completion completion;
  for (const std::string& word : vocabulary) {
    if (word.compare(0, partial.size(), partial) == 0) completion.candidates.push_back(word);
  }
  std::sort(completion.candidates.begin(), completion.candidates.end());
  completion.candidates.erase(std::unique(completion.candidates.begin(), completion.candidates.end()),
                              completion.candidates.end());
  if (completion.candidates.empty()) return completion;
  if (completion.candidates.size() == 1) {
    completion.insert = completion.candidates[0].substr(partial.size()) + " ";
    return completion;
  }
  std::string shared = completion.candidates.front();
  for (const std::string& candidate : completion.candidates) {
    size_t n = 0;
    while (n < shared.size() && n < candidate.size() && shared[n] == candidate[n]) ++n;
    shared.resize(n);
  }
  completion.insert = shared.substr(partial.size());
  return completion;
}

}  // namespace ts::tsctl
