// Micro-benchmarks of the durable log (nodes/log/) on real files: recovery of
// a 1,000,000-pair snapshot plus a log after it (issue 10's bound: at most
// 2 s), the same with the pairs loaded into a TupleSpace (a node's whole
// restart), writing that snapshot, and an append + fdatasync of one batch
// (one group commit).
//
// The files go to a temp directory under $TMPDIR (default /tmp), written once
// per run; they are read from the page cache, so the figures leave out the
// disk's read time (the snapshot's size is reported so it can be added).
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "nodes/log/durable_log.h"
#include "nodes/log/posix_storage.h"
#include "nodes/space/space.h"

namespace {

using namespace ts;
using namespace ts::wal;

constexpr int kSnapshotPairs = 1'000'000;
constexpr uint64_t kLogEntriesAfter = 20'000;

std::string PairKey(int i) { return "user," + std::to_string(i) + ",profile"; }
std::string PairValue(int i) { return "name" + std::to_string(i) + ",city" + std::to_string(i % 1000) + ",42"; }

LogEntry Entry(uint64_t seq) {
  LogEntry entry;
  entry.position = LogPosition{2, seq};
  entry.request_id = RequestId{99, seq};
  entry.effect.upserts.emplace_back(PairKey(static_cast<int>(seq % kSnapshotPairs)), "updated," + std::to_string(seq));
  Reply reply;
  reply.id = entry.request_id;
  reply.op_name = "POST";
  reply.served_by = 1;
  reply.term = 2;
  entry.reply = reply;
  return entry;
}

Status FillSnapshot(SnapshotWriter& snapshot) {
  for (int i = 0; i < kSnapshotPairs; ++i) {
    Status added = snapshot.AddPair(PairKey(i), PairValue(i));
    if (!added.ok()) return added;
  }
  for (uint64_t client = 1; client <= 1000; ++client) {
    Reply reply;
    reply.id = RequestId{client, 1};
    reply.op_name = "PUT";
    Status added = snapshot.AddClient(ClientRecord{client, 1, client, reply});
    if (!added.ok()) return added;
  }
  return Status::Ok();
}

struct Directory {
  Directory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tuplestar-logbench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path = pattern;
  }
  ~Directory() { std::filesystem::remove_all(path); }
  std::string path;
};

// A log directory holding the 1,000,000-pair snapshot at 2:1000000 and
// kLogEntriesAfter entries after it, in batches of 16; built once.
struct MillionPairLog {
  MillionPairLog() {
    auto opened = OpenLog(disk, dir.path);
    if (!opened.ok()) std::abort();
    LogWriter& writer = *opened.value().writer;
    if (!writer.InstallSnapshot({2, kSnapshotPairs}, FillSnapshot).ok()) std::abort();
    std::vector<LogEntry> batch;
    for (uint64_t seq = kSnapshotPairs + 1; seq <= kSnapshotPairs + kLogEntriesAfter; ++seq) {
      batch.push_back(Entry(seq));
      if (batch.size() == 16) {
        if (!writer.Append(batch).ok()) std::abort();
        batch.clear();
      }
    }
    if (!writer.Append(batch).ok() || !writer.Sync().ok()) std::abort();
    for (const auto& file : std::filesystem::directory_iterator(dir.path)) bytes += file.file_size();
  }
  Directory dir;
  PosixStorage disk;
  uint64_t bytes = 0;
};

MillionPairLog& Log() {
  static MillionPairLog* log = new MillionPairLog();
  return *log;
}

void BM_RecoverMillionPairs(benchmark::State& state) {
  MillionPairLog& log = Log();
  for (auto _ : state) {
    Result<RecoveredLog> recovered = Recover(log.disk, log.dir.path);
    if (!recovered.ok() || recovered.value().snapshot->pairs.size() != kSnapshotPairs ||
        recovered.value().entries.size() != kLogEntriesAfter) {
      state.SkipWithError("recovery failed");
      break;
    }
    benchmark::DoNotOptimize(recovered);
  }
  state.counters["directory_MB"] = static_cast<double>(log.bytes) / 1e6;
}
BENCHMARK(BM_RecoverMillionPairs)->Unit(benchmark::kMillisecond)->Iterations(5);

// What a node does at start: recover, fill its space, replay the log after it.
void BM_RecoverAndLoadSpace(benchmark::State& state) {
  MillionPairLog& log = Log();
  for (auto _ : state) {
    Result<RecoveredLog> recovered = Recover(log.disk, log.dir.path);
    if (!recovered.ok()) {
      state.SkipWithError("recovery failed");
      break;
    }
    TupleSpace space;
    for (const auto& [key, value] : recovered.value().snapshot->pairs) space.Upsert(key, value);
    for (const LogEntry& entry : recovered.value().entries) space.ApplyEffect(entry.effect);
    if (space.size() != kSnapshotPairs) state.SkipWithError("wrong pair count");
    benchmark::DoNotOptimize(space);
  }
}
BENCHMARK(BM_RecoverAndLoadSpace)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_WriteMillionPairSnapshot(benchmark::State& state) {
  Directory dir;
  PosixStorage disk;
  auto opened = OpenLog(disk, dir.path);
  if (!opened.ok()) std::abort();
  for (auto _ : state) {
    if (!opened.value().writer->WriteSnapshot(FillSnapshot).ok()) state.SkipWithError("snapshot failed");
  }
}
BENCHMARK(BM_WriteMillionPairSnapshot)->Unit(benchmark::kMillisecond)->Iterations(3);

// One group commit: a batch of 16 writes appended and fdatasynced.
void BM_AppendAndSyncBatch(benchmark::State& state) {
  Directory dir;
  PosixStorage disk;
  auto opened = OpenLog(disk, dir.path);
  if (!opened.ok()) std::abort();
  LogWriter& writer = *opened.value().writer;
  uint64_t seq = 0;
  for (auto _ : state) {
    std::vector<LogEntry> batch;
    for (int i = 0; i < 16; ++i) batch.push_back(Entry(++seq));
    if (!writer.Append(batch).ok() || !writer.Sync().ok()) state.SkipWithError("append failed");
  }
  state.counters["fdatasyncs"] = static_cast<double>(writer.stats().syncs);
}
BENCHMARK(BM_AppendAndSyncBatch)->Unit(benchmark::kMicrosecond);

}  // namespace
