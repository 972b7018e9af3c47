// The load generator's pure parts: the latency histogram's bucket arithmetic
// and percentiles, and the op mix parser and request maker.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "bench/latency_histogram.h"
#include "bench/op_mix.h"
#include "nodes/space/space.h"

using ts::bench::LatencyHistogram;
using ts::bench::OpKind;
using ts::bench::OpMix;

TEST_CASE("histogram: buckets tile the value range and stay within 1/128", "[bench][histogram]") {
  // Consecutive buckets are adjacent and non-overlapping.
  for (size_t index = 0; index + 1 < 7424; ++index) {
    REQUIRE(LatencyHistogram::HighestOf(index) + 1 == LatencyHistogram::LowestOf(index + 1));
  }
  std::mt19937_64 random(7);
  for (int i = 0; i < 100'000; ++i) {
    const uint64_t value = random() >> (random() % 64);
    const size_t index = LatencyHistogram::IndexOf(value);
    REQUIRE(LatencyHistogram::LowestOf(index) <= value);
    REQUIRE(value <= LatencyHistogram::HighestOf(index));
    const double width = static_cast<double>(LatencyHistogram::HighestOf(index) - LatencyHistogram::LowestOf(index));
    REQUIRE(width <= std::max(0.0, static_cast<double>(value) / 128.0));
  }
  REQUIRE(LatencyHistogram::IndexOf(UINT64_MAX) == 7423);
}

TEST_CASE("histogram: percentiles of known data", "[bench][histogram]") {
  LatencyHistogram histogram;
  REQUIRE(histogram.Percentile(50) == 0);
  for (uint64_t v = 1; v <= 100'000; ++v) histogram.Record(v * 1000);  // 1 us .. 100 ms
  REQUIRE(histogram.count() == 100'000);
  REQUIRE(histogram.min() == 1000);
  REQUIRE(histogram.max() == 100'000'000);
  auto near = [](uint64_t got, double want) { return std::abs(static_cast<double>(got) - want) <= want / 128.0; };
  CHECK(near(histogram.Percentile(50), 50'000'000.0));
  CHECK(near(histogram.Percentile(99), 99'000'000.0));
  CHECK(near(histogram.Percentile(99.9), 99'900'000.0));
  CHECK(histogram.Percentile(100) == 100'000'000);
  CHECK(histogram.Percentile(0) == 1000);
  CHECK(std::abs(histogram.mean() - 50'000'500.0) < 1.0);

  LatencyHistogram other;
  other.Record(5);
  histogram.Merge(other);
  CHECK(histogram.count() == 100'001);
  CHECK(histogram.min() == 5);
}

TEST_CASE("op mix: parses weights and rejects bad text with a reason", "[bench][mix]") {
  auto mix = OpMix::Parse("put-new=1,post=0.5,get=2,get-regex=0,delete=0.5");
  REQUIRE(mix.ok());
  CHECK(mix.value().weight(OpKind::kGet) == 2.0);
  CHECK(mix.value().ToString() == "put-new=1,post=0.5,get=2,get-regex=0,delete=0.5,get-scan=0");
  CHECK(mix.value().Pick(0.0) == OpKind::kPutNew);
  CHECK(mix.value().Pick(0.999999) == OpKind::kDelete);
  CHECK(mix.value().Pick(0.4) == OpKind::kGet);  // 0.4 x 4 = 1.6: past put-new (1) and post (0.5)

  struct Bad {
    const char* text;
    const char* says;
  };
  for (const Bad& bad : {Bad{"get", "not NAME=WEIGHT"}, Bad{"fetch=1", "unknown operation \"fetch\""},
                         Bad{"get=-1", "not a number >= 0"}, Bad{"get=x", "not a number >= 0"},
                         Bad{"get=1,get=2", "given twice"}, Bad{"get=0,post=0", "every weight is 0"},
                         Bad{"", "not NAME=WEIGHT"}}) {
    auto parsed = OpMix::Parse(bad.text);
    INFO(bad.text);
    REQUIRE_FALSE(parsed.ok());
    CHECK_THAT(parsed.error().message, Catch::Contains(bad.says));
  }
}

TEST_CASE("request maker: each kind makes a request the space understands", "[bench][mix]") {
  auto mix = OpMix::Parse("put-new=1,post=1,get=1,get-regex=1,delete=1");
  REQUIRE(mix.ok());
  ts::bench::RequestMakerOptions options;
  options.key_space = 50;
  options.value_size = 16;
  options.run_nonce = "abc";
  ts::bench::RequestMaker maker(mix.value(), options);
  ts::TupleSpace space;
  for (uint64_t i = 0; i < options.key_space; ++i) space.Upsert(ts::bench::KeySpaceKey(i), "v");
  CHECK(ts::bench::KeySpaceKey(7) == "k000000000000007");

  ts::Reply put = space.Execute(maker.Make(OpKind::kPutNew));
  CHECK(put.ok());
  CHECK(put.rejected.empty());  // a new key
  CHECK(space.size() == 51);
  ts::Request post = maker.Make(OpKind::kPost);
  REQUIRE(post.pairs.size() == 1);
  CHECK(post.pairs[0].value[0].size() == 16);
  CHECK(space.Execute(post).rejected.empty());  // an existing key
  ts::Reply get = space.Execute(maker.Make(OpKind::kGet));
  CHECK(get.ok());
  CHECK(get.pairs.size() == 1);
  ts::Reply regex = space.Execute(maker.Make(OpKind::kGetRegex));
  CHECK(regex.ok());
  CHECK(regex.pairs.size() >= 1);
  CHECK(regex.pairs.size() <= 10);
  ts::Reply deleted = space.Execute(maker.Make(OpKind::kDelete));  // the put-new key first
  CHECK(deleted.ok());
  REQUIRE(deleted.pairs.size() == 1);
  CHECK(deleted.pairs[0].key[0].rfind("nabc", 0) == 0);

  // put-new keys never repeat, across kinds drawn from the mix.
  std::set<std::string> keys;
  for (int i = 0; i < 1000; ++i) {
    ts::Request request = maker.Make(OpKind::kPutNew);
    REQUIRE(keys.insert(request.pairs[0].key[0]).second);
  }
  std::map<OpKind, int> drawn;
  for (int i = 0; i < 5000; ++i) {
    OpKind kind;
    maker.Next(&kind);
    ++drawn[kind];
  }
  for (const auto& [kind, count] : drawn) CHECK(count > 800);  // about 1000 each
  CHECK(drawn.size() == 5);
}
