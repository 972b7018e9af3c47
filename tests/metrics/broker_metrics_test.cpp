// tsbroker --metrics, run for real: the exposition passes `promtool check
// metrics` (Debian's prometheus package) and its counters move as requests
// are served. With no primary, a request is held and then answered
// "unavailable", which the counters show.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <cstdio>
#include <regex>

#include "clients/client.h"
#include "tests/support/process.h"

using namespace std::chrono_literals;
using namespace ts::testing;

namespace {

constexpr auto kStartTimeout = 10s;
constexpr auto kPromtoolTimeout = 30s;

std::optional<std::string> Scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  client.set_read_timeout(1);
  httplib::Result result = client.Get("/metrics");
  if (!result || result->status != 200) return std::nullopt;
  return result->body;
}

std::optional<double> Sample(const std::string& text, const std::string& name) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex("\n" + name + " ([0-9.e+-]+)\n"))) return std::nullopt;
  return std::stod(match[1]);
}

}  // namespace

TEST_CASE("tsbroker --metrics: promtool accepts the exposition, and the counters move", "[metrics]") {
  TempDir dir;
  const int clients = FreeTcpPort(), nodes = FreeTcpPort(), shutdown = FreeTcpPort(), metrics = FreeTcpPort();
  ChildProcess broker(BinaryPath("brokers/tsbroker"),
                      {"--clients", LoopbackEndpoint(clients), "--nodes", LoopbackEndpoint(nodes), "--shutdown",
                       LoopbackEndpoint(shutdown), "--insecure", "--cluster-size", "1", "--hold-ms", "100", "--metrics",
                       "127.0.0.1:" + std::to_string(metrics)},
                      (dir.path() / "broker.log").string());
  std::string text;
  REQUIRE(WaitUntil(
      [&] {
        std::optional<std::string> scraped = Scrape(metrics);
        if (scraped) text = *scraped;
        return scraped.has_value() && !scraped->empty();
      },
      kStartTimeout));
  INFO(text);
  CHECK(Sample(text, "tuplestar_broker_requests_unavailable_total") == 0.0);
  CHECK(Sample(text, "tuplestar_broker_primary") == 0.0);
  CHECK(Sample(text, "tuplestar_broker_uptime_seconds").has_value());

  // One request with no primary: held, then "unavailable".
  ts::ClientOptions options;
  options.request_timeout = 2s;
  options.retries = 0;
  ts::Client client(LoopbackEndpoint(clients), options);
  ts::Result<ts::Reply> reply = client.Call(ts::MakeGet("a", ".*"));
  REQUIRE(reply.ok());
  REQUIRE_FALSE(reply.value().ok());
  CHECK(reply.value().error->kind == ts::ErrorKind::kUnavailable);
  CHECK(WaitUntil(
      [&] {
        std::optional<std::string> scraped = Scrape(metrics);
        if (scraped) text = *scraped;
        return scraped && Sample(*scraped, "tuplestar_broker_requests_unavailable_total") == 1.0;
      },
      kStartTimeout));

  // promtool (Debian's prometheus package; run.sh setup installs it) lints it.
  const std::string file = (dir.path() / "metrics.txt").string();
  {
    std::FILE* out = std::fopen(file.c_str(), "w");
    REQUIRE(out != nullptr);
    std::fputs(text.c_str(), out);
    std::fclose(out);
  }
  ChildProcess promtool("/bin/sh", {"-c", "promtool check metrics < " + file},
                        (dir.path() / "promtool.log").string());
  const std::optional<int> code = promtool.Wait(kPromtoolTimeout);
  INFO(promtool.log());
  REQUIRE(code);
  CHECK(*code == 0);
}
