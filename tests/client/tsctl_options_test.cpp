// tsctl's options: found anywhere among the words, parsed by CLI11, checked,
// and described in one help text without CLI11's type text. No network.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "clients/tsctl_command.h"
#include "clients/tsctl_options.h"
#include "tests/support/process.h"

using ts::tsctl::ApplyOptionWords;
using ts::tsctl::SplitOptionWords;
using ts::tsctl::SplitWords;
using ts::tsctl::TsctlOptions;
using Words = std::vector<std::string>;

namespace {

SplitWords Split(Words words) {
  ts::Result<SplitWords> split = SplitOptionWords(words);
  INFO((split.ok() ? std::string() : split.error().message));
  REQUIRE(split.ok());
  return split.value();
}

std::string SplitError(Words words) {
  ts::Result<SplitWords> split = SplitOptionWords(words);
  REQUIRE_FALSE(split.ok());
  return split.error().message;
}

std::string ApplyError(Words words) {
  TsctlOptions options;
  ts::Status applied = ApplyOptionWords(words, /*from_environment=*/false, options);
  REQUIRE_FALSE(applied.ok());
  return applied.error().message;
}

}  // namespace

TEST_CASE("tsctl options: a flag after the positionals is the same as before them", "[client][tsctl_options]") {
  // issue 14: `tsctl get user,1 --json` took --json as the value pattern.
  SplitWords after = Split({"get", "user,1", "--json"});
  SplitWords before = Split({"--json", "get", "user,1"});
  CHECK(after.option_words == Words{"--json"});
  CHECK(after.command_words == Words{"get", "user,1"});
  CHECK(before.option_words == after.option_words);
  CHECK(before.command_words == after.command_words);

  SplitWords mixed = Split({"put", "--timeout-ms", "100", "a", "1", "--broker=tcp://h:1", "b", "2"});
  CHECK(mixed.option_words == Words{"--timeout-ms", "100", "--broker=tcp://h:1"});
  CHECK(mixed.command_words == Words{"put", "a", "1", "b", "2"});
}

TEST_CASE("tsctl options: '--' ends them, a single dash starts none, the command's own stay", "[client][tsctl_options]") {
  SplitWords dashes = Split({"get", "--", "--json", "-x"});
  CHECK(dashes.option_words.empty());
  CHECK(dashes.command_words == Words{"get", "--", "--json", "-x"});
  SplitWords first = Split({"--json", "--", "get", "--retries"});
  CHECK(first.option_words == Words{"--json"});
  CHECK(first.command_words == Words{"get", "--", "--retries"});

  CHECK(Split({"delete", "-x", "-1"}).command_words == Words{"delete", "-x", "-1"});
  SplitWords raw = Split({"send-raw", "--hex", "00ff", "--json"});
  CHECK(raw.command_words == Words{"send-raw", "--hex", "00ff"});
  CHECK(raw.option_words == Words{"--json"});
  CHECK(Split({"shutdown", "--endpoint=tcp://h:2"}).command_words == Words{"shutdown", "--endpoint=tcp://h:2"});
}

TEST_CASE("tsctl options: help and version anywhere", "[client][tsctl_options]") {
  CHECK(Split({"--help"}).help);
  SplitWords get_help = Split({"get", "-h"});
  CHECK(get_help.help);
  CHECK(get_help.command_words == Words{"get"});
  CHECK(Split({"status", "--version"}).version);
}

TEST_CASE("tsctl options: an unknown option or a missing value is named", "[client][tsctl_options]") {
  CHECK(SplitError({"get", "a", "--jsno"}) ==
        "unknown option '--jsno' (tsctl's options: --broker, --shutdown-endpoint, --cluster, --json, --output, --timeout-ms, --retries, "
        "--refused-ms, --key, --server-key, --admin-key; a pattern that starts with '--' goes after a '--' word)");
  CHECK(SplitError({"get", "a", "--timeout-ms"}) == "--timeout-ms needs a value (MS)");
}

TEST_CASE("tsctl options: values are parsed and checked, naming the option and the value", "[client][tsctl_options]") {
  TsctlOptions options;
  REQUIRE(ApplyOptionWords({"--json", "--timeout-ms", "150", "--retries=0", "--broker", "tcp://127.0.0.1:7000",
                            "--refused-ms", "300"},
                           false, options)
              .ok());
  CHECK(options.json);
  CHECK(options.timeout_ms == 150);
  CHECK(options.retries == 0);
  CHECK(options.broker == "tcp://127.0.0.1:7000");
  CHECK(options.refused_ms == 300);
  CHECK(options.shutdown_endpoint == ts::client_config::kDefaultShutdownEndpoint);  // untouched

  // Options not among the words keep the values they had (a prompt line's
  // options change only what the line names).
  TsctlOptions kept = options;
  REQUIRE(ApplyOptionWords({"--retries", "4"}, false, kept).ok());
  CHECK(kept.broker == "tcp://127.0.0.1:7000");
  CHECK(kept.json);
  CHECK(kept.retries == 4);

  // Given twice, the later wins (./run.sh cli puts the cluster's endpoints first).
  TsctlOptions twice;
  REQUIRE(ApplyOptionWords({"--broker", "tcp://127.0.0.1:1", "--broker", "tcp://127.0.0.1:2", "--json", "--json"},
                           false, twice)
              .ok());
  CHECK(twice.broker == "tcp://127.0.0.1:2");

  CHECK(ApplyError({"--broker", "tcp://127.0.0.1:99999"}) ==
        "--broker 'tcp://127.0.0.1:99999': port 99999 is out of range 1..65535");
  CHECK(ApplyError({"--shutdown-endpoint=nonsense"}) ==
        "--shutdown-endpoint 'nonsense': not a valid ZeroMQ endpoint (Invalid argument); write it like "
        "tcp://127.0.0.1:5555");
  CHECK(ApplyError({"--timeout-ms", "0"}) == "--timeout-ms: Value 0 not in range 1 to 600000");
  CHECK(ApplyError({"--retries", "x"}) == "--retries: Value x not in range 0 to 100");
}

TEST_CASE("tsctl options: TS_BROKER is read, and named when it is wrong", "[client][tsctl_options]") {
  ::setenv("TS_BROKER", "tcp://127.0.0.1:70000", 1);
  TsctlOptions options;
  ts::Status applied = ApplyOptionWords({}, /*from_environment=*/true, options);
  ::setenv("TS_BROKER", "tcp://127.0.0.1:7001", 1);
  TsctlOptions good;
  ts::Status good_applied = ApplyOptionWords({}, /*from_environment=*/true, good);
  TsctlOptions flag_wins;
  ts::Status flag_applied = ApplyOptionWords({"--broker", "tcp://127.0.0.1:7002"}, true, flag_wins);
  ::unsetenv("TS_BROKER");
  REQUIRE_FALSE(applied.ok());
  CHECK(applied.error().message == "TS_BROKER 'tcp://127.0.0.1:70000': port 70000 is out of range 1..65535");
  REQUIRE(good_applied.ok());
  CHECK(good.broker == "tcp://127.0.0.1:7001");
  REQUIRE(flag_applied.ok());
  CHECK(flag_wins.broker == "tcp://127.0.0.1:7002");
}

TEST_CASE("tsctl options: the help has one usage line and no CLI11 type text", "[client][tsctl_options]") {
  const std::string usage = ts::tsctl::UsageText();
  CHECK_THAT(usage, Catch::StartsWith("usage: tsctl [OPTIONS] [COMMAND [ARG ...]]"));
  size_t usage_lines = 0;
  for (size_t at = usage.find("sage:"); at != std::string::npos; at = usage.find("sage:", at + 1)) ++usage_lines;
  CHECK(usage_lines == 1);
  for (const char* cli11_text : {"EP TEXT", "--broker TEXT", ":INT", "Env:", "[1 - 600000]", "Print this help"}) {
    INFO(cli11_text);
    CHECK(usage.find(cli11_text) == std::string::npos);
  }
  CHECK_THAT(usage, Catch::Contains("\n  --timeout-ms MS ") && Catch::Contains("(default 2500)") &&
                        Catch::Contains("env TS_BROKER") && Catch::Contains("\n  ping ") &&
                        Catch::Contains("3 service unreachable"));
  // Every option the parser knows is in the help and in completion.
  for (const std::string& name : ts::tsctl::OptionNames()) {
    INFO(name);
    CHECK_THAT(usage, Catch::Contains(name));
  }
}

TEST_CASE("tsctl options: the README's tsctl reference lists every command and option", "[client][tsctl_options]") {
  const std::string readme = ts::testing::ReadFile(std::string(TS_TEST_DATA_DIR) + "/../../README.md");
  const size_t start = readme.find("## tsctl reference");
  REQUIRE(start != std::string::npos);
  const std::string section = readme.substr(start, readme.find("\n## ", start + 1) - start);
  for (const std::string& command : ts::tsctl::CommandNames()) {
    INFO(command);
    CHECK_THAT(section, Catch::Contains("`" + command) || Catch::Contains("(`" + command + "`)"));
  }
  for (const std::string& option : ts::tsctl::OptionNames()) {
    INFO(option);
    CHECK_THAT(section, Catch::Contains("`" + option));
  }
}
