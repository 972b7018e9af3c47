// Micro-benchmarks of the client codec: encode and decode of the frames a
// busy service moves most (a PUT of 10 pairs, a GET, and their replies).
// Bytes/s is frame bytes; items/s is frames.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "schema/codec.h"

namespace {

std::vector<ts::Pair> TenPairs() {
  std::vector<ts::Pair> pairs;
  for (int i = 0; i < 10; ++i) {
    pairs.push_back(ts::Pair{{"user", std::to_string(1000 + i)}, {"name", "alice", std::to_string(i)}});
  }
  return pairs;
}

ts::Request Put10() {
  ts::Request request = ts::MakePut(TenPairs());
  request.id = {0x1234567890abcdefull, 42};
  return request;
}

ts::Request Get() {
  ts::Request request = ts::MakeGet("user,10[0-9]+", "name,.*");
  request.id = {0x1234567890abcdefull, 43};
  return request;
}

ts::Reply Get10Reply() {
  ts::Reply reply;
  reply.id = {0x1234567890abcdefull, 43};
  reply.op_name = "GET";
  reply.pairs = TenPairs();
  reply.served_by = 2;
  reply.term = 7;
  return reply;
}

void Finish(benchmark::State& state, size_t frame_bytes) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(frame_bytes));
  state.counters["frame_bytes"] = static_cast<double>(frame_bytes);
}

void BM_EncodeRequest_Put10(benchmark::State& state) {
  const ts::Request request = Put10();
  for (auto _ : state) benchmark::DoNotOptimize(ts::EncodeRequest(request));
  Finish(state, ts::EncodeRequest(request).size());
}
BENCHMARK(BM_EncodeRequest_Put10);

void BM_DecodeRequest_Put10(benchmark::State& state) {
  const std::string frame = ts::EncodeRequest(Put10());
  for (auto _ : state) {
    ts::Result<ts::Request> request = ts::DecodeRequest(frame);
    if (!request.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(request);
  }
  Finish(state, frame.size());
}
BENCHMARK(BM_DecodeRequest_Put10);

void BM_EncodeRequest_Get(benchmark::State& state) {
  const ts::Request request = Get();
  for (auto _ : state) benchmark::DoNotOptimize(ts::EncodeRequest(request));
  Finish(state, ts::EncodeRequest(request).size());
}
BENCHMARK(BM_EncodeRequest_Get);

void BM_DecodeRequest_Get(benchmark::State& state) {
  const std::string frame = ts::EncodeRequest(Get());
  for (auto _ : state) {
    ts::Result<ts::Request> request = ts::DecodeRequest(frame);
    if (!request.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(request);
  }
  Finish(state, frame.size());
}
BENCHMARK(BM_DecodeRequest_Get);

void BM_EncodeReply_Get10(benchmark::State& state) {
  const ts::Reply reply = Get10Reply();
  for (auto _ : state) benchmark::DoNotOptimize(ts::EncodeReply(reply));
  Finish(state, ts::EncodeReply(reply).size());
}
BENCHMARK(BM_EncodeReply_Get10);

void BM_DecodeReply_Get10(benchmark::State& state) {
  const std::string frame = ts::EncodeReply(Get10Reply());
  for (auto _ : state) {
    ts::Result<ts::Reply> reply = ts::DecodeReply(frame);
    if (!reply.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(reply);
  }
  Finish(state, frame.size());
}
BENCHMARK(BM_DecodeReply_Get10);

// The cost of a hostile frame: Cap'n Proto reports it by exception.
void BM_DecodeRequest_Corrupt(benchmark::State& state) {
  std::string frame = ts::EncodeRequest(Put10());
  frame[frame.find(std::string("alice\0", 6)) + 5] = 'X';  // a text without its NUL
  for (auto _ : state) {
    ts::Result<ts::Request> request = ts::DecodeRequest(frame);
    if (request.ok()) state.SkipWithError("corrupt frame decoded");
    benchmark::DoNotOptimize(request);
  }
  Finish(state, frame.size());
}
BENCHMARK(BM_DecodeRequest_Corrupt);

}  // namespace
