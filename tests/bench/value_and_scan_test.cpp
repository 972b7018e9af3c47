// tsbench's values past one element and its full-scan GET, against the real
// space: a value of any size tsbench accepts is stored whole, and get-scan
// finds what get-regex finds without a literal prefix to narrow the walk.
#include <catch2/catch.hpp>

#include <string>

#include "bench/load_run.h"
#include "bench/op_mix.h"
#include "nodes/space/space.h"

using ts::bench::OpKind;
using ts::bench::OpMix;

namespace {

std::string Joined(const ts::Tuple& elements) {
  std::string text;
  for (const std::string& element : elements) text += element;
  return text;
}

}  // namespace

TEST_CASE("value elements: a value is cut into 256-byte elements, as the space stores them", "[bench][value]") {
  const ts::SpaceLimits limits;
  CHECK(ts::bench::kValueElementBytes == limits.max_element_bytes);
  CHECK(ts::bench::kMaxValueElements == limits.max_elements_per_tuple);
  CHECK(ts::bench::kMaxValueBytes == 16 * 1024);

  CHECK(ts::bench::ValueElements("") == ts::Tuple{""});
  CHECK(ts::bench::ValueElements("abc") == ts::Tuple{"abc"});
  for (size_t size : {size_t{255}, size_t{256}, size_t{257}, size_t{1000}, size_t{4096}, ts::bench::kMaxValueBytes}) {
    INFO(size);
    std::string bytes(size, 'x');
    for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>('a' + i % 26);
    const ts::Tuple elements = ts::bench::ValueElements(bytes);
    CHECK(elements.size() == (size + 255) / 256);
    for (size_t i = 0; i + 1 < elements.size(); ++i) CHECK(elements[i].size() == 256);
    CHECK(Joined(elements) == bytes);
  }
}

TEST_CASE("request maker: values up to 16 KiB are stored whole by the space", "[bench][value]") {
  auto mix = OpMix::Parse("put-new=1,post=1");
  REQUIRE(mix.ok());
  for (size_t size : {size_t{16}, size_t{256}, size_t{1024}, size_t{4096}, ts::bench::kMaxValueBytes}) {
    INFO(size);
    ts::bench::RequestMakerOptions options;
    options.key_space = 4;
    options.value_size = size;
    options.run_nonce = "v";
    ts::bench::RequestMaker maker(mix.value(), options);
    ts::TupleSpace space;
    ts::Request put = maker.Make(OpKind::kPutNew);
    REQUIRE(put.pairs.size() == 1);
    CHECK(Joined(put.pairs[0].value).size() == size);
    ts::Reply stored = space.Execute(put);
    REQUIRE(stored.ok());
    CHECK(stored.rejected.empty());
    ts::Reply read = space.Execute(ts::MakeGet(put.pairs[0].key[0], ".*"));
    REQUIRE(read.pairs.size() == 1);
    CHECK(read.pairs[0].value == put.pairs[0].value);
  }
  // One byte past the largest is a pair the space refuses (too large): the limit is the space's.
  ts::TupleSpace space;
  ts::Tuple too_long = ts::bench::ValueElements(std::string(ts::bench::kMaxValueBytes + 1, 'y'));
  CHECK(too_long.size() == ts::bench::kMaxValueElements + 1);
  ts::Reply refused = space.Execute(ts::MakePut({ts::Pair{{"k"}, too_long}}));
  CHECK(refused.rejected.size() == 1);
  CHECK(space.size() == 0);
}

TEST_CASE("request maker: get-scan has no literal prefix and matches what get-regex matches", "[bench][mix]") {
  auto mix = OpMix::Parse("get-regex=1,get-scan=1");
  REQUIRE(mix.ok());
  CHECK(mix.value().UsesKeySpace());
  ts::bench::RequestMakerOptions options;
  options.key_space = 200;
  options.run_nonce = "s";
  options.seed = 11;
  ts::bench::RequestMaker regex_maker(mix.value(), options);
  ts::bench::RequestMaker scan_maker(mix.value(), options);  // the same seed: the same key drawn
  ts::TupleSpace space;
  for (uint64_t i = 0; i < options.key_space; ++i) space.Upsert(ts::bench::KeySpaceKey(i), "v");
  space.Upsert("x000000000000015", "v");  // matches a scan of k..1\d only when its prefix is really gone

  for (int i = 0; i < 20; ++i) {
    ts::Request regex = regex_maker.Make(OpKind::kGetRegex);
    ts::Request scan = scan_maker.Make(OpKind::kGetScan);
    REQUIRE(scan.key_pattern.size() == regex.key_pattern.size());
    CHECK(scan.key_pattern.front() == '.');
    CHECK(scan.key_pattern.substr(1) == regex.key_pattern.substr(1));
    ts::Reply regex_reply = space.Execute(regex);
    ts::Reply scan_reply = space.Execute(scan);
    REQUIRE(regex_reply.ok());
    REQUIRE(scan_reply.ok());
    CHECK(regex_reply.pairs.size() >= 1);
    CHECK(regex_reply.pairs.size() <= 10);
    // The scan also finds x..1\d when the drawn key is k00000000000001\d.
    const bool x_matches = regex.key_pattern == "k00000000000001\\d";
    CHECK(scan_reply.pairs.size() == regex_reply.pairs.size() + (x_matches ? 1 : 0));
  }
}

TEST_CASE("preload: batches of at most about 256 KiB, 1,000 pairs of small values", "[bench][value]") {
  CHECK(ts::bench::PreloadBatchPairs(16) == 1'000);
  CHECK(ts::bench::PreloadBatchPairs(256) == 963);
  CHECK(ts::bench::PreloadBatchPairs(16 * 1024) == 15);
  CHECK(ts::bench::PreloadBatchPairs(1 << 30) == 1);
  for (size_t size : {size_t{1}, size_t{100}, size_t{1024}, size_t{4096}, ts::bench::kMaxValueBytes}) {
    CHECK(ts::bench::PreloadBatchPairs(size) * (16 + size) <= ts::bench::LoadDefaults::kPreloadBatchBytes);
  }
}
