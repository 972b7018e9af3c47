#include "launcher/chaos/history_recorder.h"

#include <time.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "clients/client.h"
#include "launcher/chaos/op_planner.h"

namespace ts::chaos {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

// The history file and the tallies, shared by the client threads.
class Journal {
 public:
  Journal(std::FILE* file, int64_t start_ns) : file_(file), start_ns_(start_ns) {}

  void Append(const HistoryEvent& event) {
    const std::string line = FormatEvent(event) + "\n";
    std::lock_guard<std::mutex> lock(mutex_);
    if (std::fputs(line.c_str(), file_) < 0 || std::fflush(file_) != 0) write_failed_ = true;
    switch (event.type) {
      case EventType::kInvoke: ++totals_.ops; break;
      case EventType::kOk:
        ++totals_.ok;
        ++per_second_[(event.time_ns - start_ns_) / kNsPerSecond];
        break;
      case EventType::kFail: ++totals_.fail; break;
      case EventType::kUnknown: ++totals_.unknown; break;
    }
  }

  uint64_t FreshProcess() { return next_process_++; }
  void SetFirstFreshProcess(uint64_t first) { next_process_ = first; }
  bool write_failed() const { return write_failed_; }
  RecorderTotals totals() const { return totals_; }
  const std::map<int64_t, size_t>& per_second() const { return per_second_; }

 private:
  std::mutex mutex_;
  std::FILE* file_;
  int64_t start_ns_;
  RecorderTotals totals_;
  std::map<int64_t, size_t> per_second_;
  std::atomic<uint64_t> next_process_{0};
  bool write_failed_ = false;
};

ClientOptions ClientOptionsFor(const RecorderOptions& options) {
  ClientOptions client;
  client.request_timeout = options.timeout;
  client.retries = options.retries;
  client.curve = options.curve;
  return client;
}

// One operation: invoke line, the call, completion line. true: it was unknown.
bool RunOne(Client& client, Journal& journal, HistoryEvent invoke) {
  invoke.time_ns = MonotonicNowNs();
  journal.Append(invoke);
  Result<Reply> reply = client.Call(RequestFor(invoke));
  HistoryEvent done = CompletionFor(invoke, reply);
  done.time_ns = MonotonicNowNs();
  journal.Append(done);
  return done.type == EventType::kUnknown;
}

void ClientLoop(const RecorderOptions& options, int index, int64_t deadline_ns, const std::atomic<bool>& stop,
                Journal& journal) {
  Client client(options.broker, ClientOptionsFor(options));
  OpPlanner planner(options.seed, index, options.keys);
  uint64_t process = static_cast<uint64_t>(index);
  while (!stop.load() && MonotonicNowNs() < deadline_ns) {
    HistoryEvent invoke = planner.Next();
    invoke.process = process;
    if (RunOne(client, journal, invoke)) process = journal.FreshProcess();  // the old request may still land
  }
}

Status WriteRates(const std::string& path, const std::map<int64_t, size_t>& per_second, int64_t start_ns,
                  int64_t end_ns) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return Error{ErrorKind::kInternal, path + ": cannot write the rate file"};
  std::fputs("second,acknowledged,start_ns\n", file);
  const int64_t last = (end_ns - start_ns) / kNsPerSecond;
  for (int64_t second = 0; second <= last; ++second) {
    auto it = per_second.find(second);
    std::fprintf(file, "%lld,%zu,%lld\n", static_cast<long long>(second), it == per_second.end() ? 0 : it->second,
                 static_cast<long long>(start_ns + second * kNsPerSecond));
  }
  const bool ok = std::fclose(file) == 0;
  if (!ok) return Error{ErrorKind::kInternal, path + ": cannot write the rate file"};
  return Status::Ok();
}

}  // namespace

std::string RecorderTotals::SummaryLine() const {
  return "history: ops=" + std::to_string(ops) + " ok=" + std::to_string(ok) + " fail=" + std::to_string(fail) +
         " unknown=" + std::to_string(unknown);
}

int64_t MonotonicNowNs() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * kNsPerSecond + now.tv_nsec;
}

Result<RecorderTotals> RunRecorder(const RecorderOptions& options, const std::atomic<bool>& stop) {
  std::FILE* file = std::fopen(options.out.c_str(), "w");
  if (file == nullptr) return Error{ErrorKind::kInternal, options.out + ": cannot write the history file"};
  const int64_t start_ns = MonotonicNowNs();
  const int64_t deadline_ns = start_ns + std::chrono::nanoseconds(options.duration).count();
  Journal journal(file, start_ns);
  journal.SetFirstFreshProcess(static_cast<uint64_t>(options.clients));
  std::vector<std::thread> threads;
  for (int i = 0; i < options.clients; ++i)
    threads.emplace_back([&, i] { ClientLoop(options, i, deadline_ns, stop, journal); });
  for (std::thread& thread : threads) thread.join();
  if (!stop.load()) {
    // The final reads: every key once, by a process of its own.
    Client client(options.broker, ClientOptionsFor(options));
    const uint64_t process = journal.FreshProcess();
    for (int key = 0; key < options.keys && !stop.load(); ++key) {
      HistoryEvent read;
      read.process = process;
      read.f = Fn::kGet;
      read.key = KeyName(key);
      if (RunOne(client, journal, read)) break;  // a process with an open unknown must not go on
    }
  }
  const int64_t end_ns = MonotonicNowNs();
  const bool closed = std::fclose(file) == 0;
  if (journal.write_failed() || !closed) return Error{ErrorKind::kInternal, options.out + ": writing the history failed"};
  if (!options.rate_out.empty()) {
    Status rates = WriteRates(options.rate_out, journal.per_second(), start_ns, end_ns);
    if (!rates.ok()) return rates.error();
  }
  return journal.totals();
}

}  // namespace ts::chaos
