// Tab completion of tsctl's prompt, as a function of the line before the cursor.
#include <catch2/catch.hpp>

#include "clients/tsctl_complete.h"

using ts::tsctl::CompleteLine;
using Words = std::vector<std::string>;

TEST_CASE("tsctl completion: the first word completes to a command name", "[client][tsctl_complete]") {
  ts::tsctl::Completion status = CompleteLine("sta");
  CHECK(status.insert == "tus ");
  CHECK(status.candidates == Words{"status"});

  ts::tsctl::Completion p = CompleteLine("p");
  CHECK(p.insert.empty());  // ping, post, put, put-raw share only "p"
  CHECK(p.candidates == Words{"ping", "post", "put", "put-raw"});
  CHECK(CompleteLine("pu").insert == "t");
  CHECK(CompleteLine("pu").candidates == Words{"put", "put-raw"});
  CHECK(CompleteLine("  dis").insert == "connect ");

  ts::tsctl::Completion all = CompleteLine("");
  CHECK(all.candidates.size() == 18);  // every command, and exit
  CHECK(CompleteLine("ta").insert == "ke ");
  CHECK(CompleteLine("wa").insert == "tch ");
  CHECK(CompleteLine("take a --w").insert == "ait ");
  CHECK(CompleteLine("frob").candidates.empty());
}

TEST_CASE("tsctl completion: after help, a command name, elsewhere no guess", "[client][tsctl_complete]") {
  CHECK(CompleteLine("help sh").insert == "utdown ");
  CHECK(CompleteLine("get us").candidates.empty());  // a pattern: nothing to offer
  CHECK(CompleteLine("get ").candidates.empty());
}

TEST_CASE("tsctl completion: a word starting with '-' completes to the options", "[client][tsctl_complete]") {
  CHECK(CompleteLine("get a --j").insert == "son ");
  CHECK(CompleteLine("get a --re").candidates == Words{"--refused-ms", "--retries"});
  CHECK(CompleteLine("send-raw --h").candidates == Words{"--help", "--hex"});  // the command's own too
  CHECK(CompleteLine("get --h").candidates == Words{"--help"});
}
