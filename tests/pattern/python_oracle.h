// Runs tests/data/re_oracle.py with the machine's python3 and hands back its
// output lines split into tab-separated fields, hex fields decoded by Unhex.
// A missing python3 or a failing script fails the calling test loudly: the
// oracle tests must never pass by not running.
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace ts::testing {

inline std::string Unhex(const std::string& hex) {
  if (hex == "-") return "";
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return fields;
}

// Output lines of `python3 re_oracle.py <arguments>`; REQUIREs a clean exit.
inline std::vector<std::string> RunOracle(const std::string& arguments) {
  const std::string command = "python3 '" TS_TEST_DATA_DIR "/re_oracle.py' " + arguments;
  FILE* pipe = popen(command.c_str(), "r");
  INFO("command: " << command);
  REQUIRE(pipe != nullptr);
  std::string output;
  std::array<char, 65536> buffer;
  size_t count = 0;
  while ((count = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), count);
  const int status = pclose(pipe);
  INFO("python3 must be installed: the Python oracle is how these tests know the right answer");
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) != 127);  // sh: python3: not found
  REQUIRE(WEXITSTATUS(status) == 0);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    lines.push_back(output.substr(start, end - start));
    start = end + 1;
  }
  REQUIRE(!lines.empty());
  return lines;
}

}  // namespace ts::testing
