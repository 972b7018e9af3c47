// What the metrics tests share: scraping GET /metrics, reading one sample,
// and running `promtool check metrics` (Debian's prometheus package) on a
// scrape.
#pragma once

#include <catch2/catch.hpp>

#include <httplib.h>

#include <cstdio>
#include <optional>
#include <regex>
#include <string>

#include "tests/support/process.h"

namespace ts::testing {

inline constexpr auto kPromtoolTimeout = std::chrono::seconds(30);

inline std::optional<std::string> Scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  client.set_read_timeout(1);
  httplib::Result result = client.Get("/metrics");
  if (!result || result->status != 200) return std::nullopt;
  return result->body;
}

// The value of the sample `name` (with its labels as written, e.g.
// `x_total{op="PUT",outcome="ok"}`), or nullopt when the scrape has none.
inline std::optional<double> Sample(const std::string& text, const std::string& name) {
  const std::string needle = "\n" + name + " ";
  const size_t at = text.find(needle);
  if (at == std::string::npos) return std::nullopt;
  return std::stod(text.substr(at + needle.size()));
}

// Runs promtool on `text`; REQUIREs that it passed.
inline void RequirePromtoolAccepts(const std::string& text, const TempDir& dir, const std::string& name) {
  const std::string file = dir / (name + ".txt");
  {
    std::FILE* out = std::fopen(file.c_str(), "w");
    REQUIRE(out != nullptr);
    std::fputs(text.c_str(), out);
    std::fclose(out);
  }
  ChildProcess promtool("/bin/sh", {"-c", "promtool check metrics < " + file}, dir / (name + ".promtool.log"));
  const std::optional<int> code = promtool.Wait(kPromtoolTimeout);
  INFO(promtool.log());
  REQUIRE(code);
  CHECK(*code == 0);
}

}  // namespace ts::testing
