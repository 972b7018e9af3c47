// Micro-benchmarks of the tuple space: regex scans, literal-prefix scans, PUT batches.
#include <benchmark/benchmark.h>

#include <string>

#include "nodes/space/space.h"

namespace {

constexpr int kSpacePairs = 1'000'000;

// One shared space of kSpacePairs pairs "user,N" -> "v,N,N%97", built once.
ts::TupleSpace& MillionPairSpace() {
  static ts::TupleSpace* space = [] {
    auto* built = new ts::TupleSpace();
    for (int i = 0; i < kSpacePairs; ++i) {
      built->Upsert("user," + std::to_string(i), "v," + std::to_string(i) + "," + std::to_string(i % 97));
    }
    return built;
  }();
  return *space;
}

void RunGet(benchmark::State& state, const char* key_pattern, const char* value_pattern) {
  ts::TupleSpace& space = MillionPairSpace();
  ts::Request request = ts::MakeGet(key_pattern, value_pattern);
  size_t matched = 0;
  for (auto _ : state) {
    ts::Reply reply = space.Execute(request);
    if (!reply.ok()) state.SkipWithError(reply.error->message.c_str());
    matched = reply.pairs.size();
    benchmark::DoNotOptimize(reply);
  }
  const double scanned = static_cast<double>(space.last_scan_count());
  state.counters["pairs_scanned"] = scanned;
  state.counters["pairs_matched"] = static_cast<double>(matched);
  state.counters["ns_per_stored_pair"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kSpacePairs,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// A key regex with no literal prefix: every one of the 1,000,000 keys is matched.
void BM_GetFullScanRegex(benchmark::State& state) { RunGet(state, "[a-z]+,\\d*77", ".*"); }
BENCHMARK(BM_GetFullScanRegex)->Unit(benchmark::kMillisecond);

// Both patterns run on every pair: the key regex matches every key.
void BM_GetFullScanKeyAndValueRegex(benchmark::State& state) {
  RunGet(state, "\\w+,\\d+", "v,\\d+,(?:9[0-6])");
}
BENCHMARK(BM_GetFullScanKeyAndValueRegex)->Unit(benchmark::kMillisecond);

// A literal prefix: only the 11 keys "user,12345" and "user,12345D" are looked at.
void BM_GetLiteralPrefix(benchmark::State& state) { RunGet(state, "user,12345\\d?", ".*"); }
BENCHMARK(BM_GetLiteralPrefix)->Unit(benchmark::kMicrosecond);

// An exact key: a plain-text pattern is one B-tree lookup, no regex at all.
void BM_GetExactKey(benchmark::State& state) { RunGet(state, "user,123456", ".*"); }
BENCHMARK(BM_GetExactKey)->Unit(benchmark::kMicrosecond);

// PUT of 1,000 new pairs per request into a space that grows as it runs.
void BM_Put1000PairBatch(benchmark::State& state) {
  constexpr int kBatchPairs = 1000;
  ts::TupleSpace space;
  int next_key = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<ts::Pair> pairs;
    pairs.reserve(kBatchPairs);
    for (int i = 0; i < kBatchPairs; ++i, ++next_key) {
      pairs.push_back(ts::Pair{{"user", std::to_string(next_key)}, {"value", "x"}});
    }
    ts::Request request = ts::MakePut(std::move(pairs));
    state.ResumeTiming();
    ts::Reply reply = space.Execute(request);
    benchmark::DoNotOptimize(reply);
  }
  state.SetItemsProcessed(state.iterations() * kBatchPairs);
}
BENCHMARK(BM_Put1000PairBatch)->Unit(benchmark::kMicrosecond);

}  // namespace
