// The prompt's history file: each line is in the file as soon as it is
// added, in libedit's format (a fresh libedit History loads it back), and
// the file is trimmed when it grows past twice the limit.
#include <catch2/catch.hpp>

#include "clients/tsctl_history.h"
#include "tests/support/process.h"

using ts::tsctl::PromptHistory;
using Words = std::vector<std::string>;

TEST_CASE("tsctl history: every line is in the file at once, and loads back exactly", "[client][tsctl_history]") {
  ts::testing::TempDir dir;
  const std::string path = dir / "history";
  const Words lines = {"get a b", "put 'x y' 1", R"(get user,\d+ "q")", "put \xc3\xbc,1 x"};
  {
    PromptHistory history(path, 100);
    REQUIRE(history.Load().ok());  // no file yet: fine
    for (size_t i = 0; i < lines.size(); ++i) {
      REQUIRE(history.Add(lines[i]).ok());
      PromptHistory reader(path, 100);  // as if the prompt had been killed here
      REQUIRE(reader.Load().ok());
      CHECK(reader.Lines() == Words(lines.begin(), lines.begin() + static_cast<long>(i) + 1));
    }
    CHECK(history.Lines() == lines);
  }
  PromptHistory again(path, 100);
  REQUIRE(again.Load().ok());
  REQUIRE(again.Add("status").ok());
  PromptHistory reader(path, 100);
  REQUIRE(reader.Load().ok());
  Words expected = lines;
  expected.push_back("status");
  CHECK(reader.Lines() == expected);
}

TEST_CASE("tsctl history: a file past twice the limit is trimmed to the last lines", "[client][tsctl_history]") {
  ts::testing::TempDir dir;
  const std::string path = dir / "history";
  {
    PromptHistory history(path, 3);
    for (int i = 1; i <= 7; ++i) REQUIRE(history.Add("get " + std::to_string(i)).ok());
  }
  PromptHistory loaded(path, 3);
  REQUIRE(loaded.Load().ok());  // 7 > 2 x 3: rewritten
  CHECK(loaded.Lines() == Words{"get 5", "get 6", "get 7"});
  PromptHistory reader(path, 100);
  REQUIRE(reader.Load().ok());
  CHECK(reader.Lines() == Words{"get 5", "get 6", "get 7"});
}

TEST_CASE("tsctl history: no path keeps lines in memory only", "[client][tsctl_history]") {
  PromptHistory history("", 10);
  REQUIRE(history.Load().ok());
  REQUIRE(history.Add("get a").ok());
  CHECK(history.Lines() == Words{"get a"});
}
