// tsctl's command language: line splitting and parsing, no network.
#include <catch2/catch.hpp>

#include "clients/client_config.h"
#include "clients/tsctl_command.h"

using ts::tsctl::CommandKind;
using ts::tsctl::ParseCommand;
using ts::tsctl::SplitCommandLine;

namespace {

ts::tsctl::Command Parsed(std::vector<std::string> words) {
  ts::Result<ts::tsctl::Command> command = ParseCommand(words);
  INFO((command.ok() ? std::string() : command.error().message));
  REQUIRE(command.ok());
  return command.value();
}

std::string UsageError(std::vector<std::string> words) {
  ts::Result<ts::tsctl::Command> command = ParseCommand(words);
  REQUIRE_FALSE(command.ok());
  return command.error().message;
}

}  // namespace

TEST_CASE("tsctl words: blanks split, quotes group, backslashes stay", "[client][tsctl_command]") {
  using Words = std::vector<std::string>;
  CHECK(SplitCommandLine("  get  user,\\d+   .* ").value() == Words{"get", "user,\\d+", ".*"});
  CHECK(SplitCommandLine("get 'a b' \"c \\\" d\"").value() == Words{"get", "a b", "c \" d"});
  CHECK(SplitCommandLine("send-raw ''").value() == Words{"send-raw", ""});
  CHECK(SplitCommandLine("x'y z'w").value() == Words{"xy zw"});
  CHECK(SplitCommandLine("").value().empty());
  ts::Result<std::vector<std::string>> unclosed = SplitCommandLine("get 'abc");
  REQUIRE_FALSE(unclosed.ok());
  CHECK(unclosed.error().message == "unclosed ' quote opened at column 5");
}

TEST_CASE("tsctl commands: get and delete take patterns, VALEXP defaulting to .*", "[client][tsctl_command]") {
  ts::tsctl::Command get = Parsed({"get", "user,.*", "4[0-9]"});
  CHECK(get.kind == CommandKind::kRequest);
  CHECK(get.request.op_name == "GET");
  CHECK(get.request.key_pattern == "user,.*");
  CHECK(get.request.value_pattern == "4[0-9]");

  ts::tsctl::Command del = Parsed({"DELETE", "-x"});  // case-insensitive; '-' is no option here
  CHECK(del.request.op_name == "DELETE");
  CHECK(del.request.key_pattern == "-x");
  CHECK(del.request.value_pattern == ".*");

  CHECK(UsageError({"get"}) == "get takes KEYEXP and an optional VALEXP; got 0 words\nusage: get KEYEXP [VALEXP] [--limit N [--after KEY]] [--wait MS]");
  CHECK_THAT(UsageError({"get", "a", "b", "c"}), Catch::Contains("got 3 words ('a' 'b' 'c')"));
  // tsctl's options are taken out before (tsctl_options.h); any left is no pattern.
  CHECK(UsageError({"get", "a", "--json"}) ==
        "get has no option '--json'; a pattern or item that starts with '--' goes after a '--' word\n"
        "usage: get KEYEXP [VALEXP] [--limit N [--after KEY]] [--wait MS]");
  CHECK(UsageError({"get", "a", "--hex", "00"}) ==
        "'--hex' is an option of send-raw, not of get; a pattern or item that starts with '--' goes after a "
        "'--' word\nusage: get KEYEXP [VALEXP] [--limit N [--after KEY]] [--wait MS]");
  // After "--", anything is a pattern.
  ts::tsctl::Command dashes = Parsed({"get", "--", "--json", "--x"});
  CHECK(dashes.request.key_pattern == "--json");
  CHECK(dashes.request.value_pattern == "--x");
}

TEST_CASE("tsctl commands: count is a get, ping a get no key can match", "[client][tsctl_command]") {
  ts::tsctl::Command count = Parsed({"count", "user,.*"});
  CHECK(count.kind == CommandKind::kCount);
  CHECK(count.request.op_name == "GET");
  CHECK(count.request.key_pattern == "user,.*");
  CHECK(count.request.value_pattern == ".*");
  CHECK_THAT(UsageError({"count"}), Catch::StartsWith("count takes KEYEXP and an optional VALEXP"));

  ts::tsctl::Command ping = Parsed({"PING"});
  CHECK(ping.kind == CommandKind::kPing);
  CHECK(ping.request.op_name == "GET");
  CHECK(ping.request.key_pattern == ts::tsctl::kPingKeyPattern);
  // No stored key can equal it: a key's elements are never empty.
  CHECK_FALSE(ts::IsWellFormedTupleText(ts::tsctl::kPingKeyPattern));
  CHECK_THAT(UsageError({"ping", "x"}), Catch::StartsWith("ping takes no arguments"));
}

TEST_CASE("tsctl commands: put and post take KEY VALUE pairs in text form", "[client][tsctl_command]") {
  ts::tsctl::Command put = Parsed({"put", "user,1", "alice", "user,2", "bob,x"});
  CHECK(put.request.op_name == "PUT");
  REQUIRE(put.request.pairs.size() == 2);
  CHECK(put.request.pairs[1] == ts::Pair{{"user", "2"}, {"bob", "x"}});

  // Malformed tuples are sent as typed: the server says which pairs it refused.
  ts::tsctl::Command post = Parsed({"post", "a,,b", "c d"});
  CHECK(post.request.op_name == "POST");
  CHECK(post.request.pairs[0] == ts::Pair{{"a", "", "b"}, {"c d"}});

  CHECK(UsageError({"put", "a"}) ==
        "put takes KEY VALUE pairs; got 1 word (an odd count); to send a malformed list on purpose, use put-raw\n"
        "usage: put KEY VALUE [KEY VALUE ...]");
  CHECK_THAT(UsageError({"post"}), Catch::StartsWith("post takes KEY VALUE pairs; got 0 words;"));
}

TEST_CASE("tsctl commands: send picks patterns or pairs by op and count", "[client][tsctl_command]") {
  ts::tsctl::Command frob = Parsed({"send", "FROB", "a", "b"});
  CHECK(frob.request.op_name == "FROB");
  CHECK(frob.request.key_pattern == "a");
  CHECK(frob.request.value_pattern == "b");
  CHECK(frob.request.pairs.empty());

  ts::tsctl::Command lower_put = Parsed({"send", "put", "k", "v"});
  CHECK(lower_put.request.op_name == "put");  // sent exactly as typed
  CHECK(lower_put.request.pairs == std::vector<ts::Pair>{ts::Pair{{"k"}, {"v"}}});

  ts::tsctl::Command many = Parsed({"send", "X", "a", "1", "b", "2"});
  CHECK(many.request.pairs.size() == 2);

  ts::tsctl::Command bare = Parsed({"send", "PING"});
  CHECK(bare.request.op_name == "PING");
  CHECK(bare.request.key_pattern.empty());

  CHECK_THAT(UsageError({"send"}), Catch::StartsWith("send needs an operation name"));
  CHECK_THAT(UsageError({"send", "POST", "k"}), Catch::Contains("odd count"));
}

TEST_CASE("tsctl commands: send-raw takes text or hex", "[client][tsctl_command]") {
  CHECK(Parsed({"send-raw", "hello world"}).raw_bytes == "hello world");
  CHECK(Parsed({"send-raw", "--hex", "00fF10"}).raw_bytes == std::string("\x00\xff\x10", 3));
  CHECK_THAT(UsageError({"send-raw", "--hex", "abc"}), Catch::StartsWith("hex needs an even number of digits; got 3"));
  CHECK_THAT(UsageError({"send-raw", "--hex", "zz"}), Catch::StartsWith("'z' at position 1 is not a hex digit"));
  CHECK_THAT(UsageError({"send-raw"}), Catch::StartsWith("send-raw takes one TEXT argument"));
  CHECK_THAT(UsageError({"send-raw", "--hex"}), Catch::StartsWith("--hex needs a value"));
  CHECK(Parsed({"send-raw", "--", "--hex"}).raw_bytes == "--hex");
}

TEST_CASE("tsctl commands: put-raw keeps the items exactly", "[client][tsctl_command]") {
  ts::tsctl::Command raw = Parsed({"put-raw", "a,,b", "1", "lonely"});
  CHECK(raw.kind == CommandKind::kPutRaw);
  CHECK(raw.raw_items == std::vector<std::string>{"a,,b", "1", "lonely"});
  CHECK(Parsed({"put-raw"}).raw_items.empty());
}

TEST_CASE("tsctl commands: shutdown, status, connect, disconnect, help, quit", "[client][tsctl_command]") {
  CHECK(Parsed({"shutdown"}).kind == CommandKind::kShutdown);
  CHECK_FALSE(Parsed({"shutdown"}).endpoint.has_value());
  CHECK(Parsed({"shutdown", "--endpoint", "tcp://h:1"}).endpoint == "tcp://h:1");
  CHECK(Parsed({"shutdown", "--endpoint=tcp://h:2"}).endpoint == "tcp://h:2");
  CHECK_THAT(UsageError({"shutdown", "now"}), Catch::StartsWith("unexpected argument 'now'"));

  ts::tsctl::Command status = Parsed({"status"});
  CHECK(status.kind == CommandKind::kStatus);
  CHECK(status.request.op_name == "STATUS");
  CHECK_THAT(UsageError({"status", "x"}), Catch::StartsWith("status takes no arguments"));

  ts::tsctl::Command connect = Parsed({"connect", "--shutdown", "tcp://h:3"});
  CHECK(connect.kind == CommandKind::kConnect);
  CHECK(connect.shutdown_endpoint);
  CHECK(connect.endpoint == "tcp://h:3");
  CHECK_THAT(UsageError({"connect"}), Catch::StartsWith("connect needs an endpoint"));
  CHECK(Parsed({"disconnect"}).kind == CommandKind::kDisconnect);
  CHECK(Parsed({"disconnect", "--shutdown"}).shutdown_endpoint);

  CHECK(Parsed({"help", "PUT"}).help_topic == "put");
  CHECK(Parsed({"exit"}).kind == CommandKind::kQuit);
  CHECK(Parsed({}).kind == CommandKind::kNothing);
}

TEST_CASE("tsctl commands: an unknown command suggests a near one", "[client][tsctl_command]") {
  CHECK(UsageError({"gte", "a"}) == "unknown command 'gte'; did you mean 'get'? (try 'help')");
  CHECK(UsageError({"frobnicate"}) == "unknown command 'frobnicate' (try 'help')");
}

TEST_CASE("tsctl help: a list of every command, and each one explained", "[client][tsctl_command]") {
  const std::string all = ts::tsctl::HelpText();
  for (const char* name : {"get ", "count ", "delete ", "put ", "post ", "ping ", "send ", "send-raw ", "put-raw ",
                           "status ", "shutdown ", "help ", "connect ", "disconnect ", "quit "}) {
    CHECK_THAT(all, Catch::Contains(std::string("\n  ") + name));
  }
  CHECK_THAT(ts::tsctl::HelpText("put-raw"), Catch::StartsWith("usage: put-raw [ITEM ...]\n"));
  CHECK_THAT(ts::tsctl::HelpText("nope"), Catch::StartsWith("no command 'nope'"));
  // count says honestly where it is counted.
  CHECK_THAT(ts::tsctl::HelpText("count"), Catch::Contains("Counted by tsctl, not by the space"));
}

TEST_CASE("tsctl command: get --limit N --after KEY pages, and bad values are named", "[client][tsctl_command]") {
  ts::tsctl::Command page = Parsed({"get", "job,.*", "--limit", "100", "--after", "job,41"});
  CHECK(page.request.op_name == "GET");
  CHECK(page.request.key_pattern == "job,.*");
  CHECK(page.request.value_pattern == ".*");
  CHECK(page.request.limit == 100);
  CHECK(page.request.after_key == "job,41");
  CHECK(Parsed({"get", "--limit=5", "a"}).request.limit == 5);
  CHECK(Parsed({"get", "a"}).request.limit == 0);
  CHECK_THAT(UsageError({"get", "a", "--limit", "0"}),
             Catch::StartsWith("--limit must be a whole number from 1 to 1000000, not '0'"));
  CHECK_THAT(UsageError({"get", "a", "--limit", "ten"}), Catch::StartsWith("--limit must be a whole number"));
  CHECK_THAT(UsageError({"get", "a", "--limit"}), Catch::StartsWith("--limit needs a value"));
  CHECK_THAT(UsageError({"delete", "a", "--limit", "3"}), Catch::StartsWith("'--limit' is an option of get, not of delete"));
}

TEST_CASE("tsctl commands: take and get --wait, watch with its options", "[client][tsctl_command]") {
  ts::tsctl::Command take = Parsed({"take", "job,.*", "--wait", "1500"});
  CHECK(take.kind == CommandKind::kRequest);
  CHECK(take.request.op_name == "TAKE");
  CHECK(take.request.key_pattern == "job,.*");
  CHECK(take.request.value_pattern == ".*");
  CHECK(take.request.wait_ms == 1500);
  CHECK(Parsed({"take", "a", "b"}).request.wait_ms == 0);
  CHECK(Parsed({"get", "a", "--wait=250"}).request.wait_ms == 250);

  ts::tsctl::Command watch = Parsed({"watch", "user,.*", "--from", "17", "--count", "3", "--for", "2000"});
  CHECK(watch.kind == CommandKind::kWatch);
  CHECK(watch.request.op_name == "WATCH");
  CHECK(watch.request.after_seq == 17);
  CHECK(watch.watch_max_changes == 3);
  CHECK(watch.watch_for_ms == 2000);
  CHECK(watch.request.wait_ms == ts::client_config::kWatchPollMs);
  CHECK(Parsed({"watch", "a"}).request.after_seq == 0);

  CHECK_THAT(UsageError({"take", "a", "--wait", "60001"}),
             Catch::Contains("--wait must be a whole number of milliseconds from 0 to 60000, not '60001'"));
  CHECK_THAT(UsageError({"take", "a", "--wait", "soon"}), Catch::Contains("not 'soon'"));
  CHECK_THAT(UsageError({"take"}), Catch::Contains("usage: take KEYEXP [VALEXP] [--wait MS]"));
  CHECK_THAT(UsageError({"watch", "a", "--from", "x"}), Catch::Contains("--from must be a whole number"));
  CHECK_THAT(UsageError({"take", "a", "--limit", "2"}), Catch::Contains("'--limit' is an option of get, not of take"));
}
