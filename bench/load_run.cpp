#include "bench/load_run.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "clients/pipelined_client.h"

namespace ts::bench {
namespace {

using Clock = std::chrono::steady_clock;

enum Phase : int { kWarmUp = 0, kMeasuring = 1, kDraining = 2 };

struct ClientOutcome {
  LoadResult figures;  // measured_s unused here
};

uint64_t Nanos(Clock::duration d) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

void CountError(LoadResult& result, const std::string& kind, LoadProgress& progress) {
  ++result.errors;
  ++result.errors_by_kind[kind];
  progress.errors.fetch_add(1, std::memory_order_relaxed);
}

// One client thread: keep `depth` requests out until the window closes, then drain.
void RunClient(const LoadOptions& options, uint32_t index, LoadProgress& progress, ClientOutcome& outcome,
               zmq::context_t& context) {
  PipelineOptions pipeline;
  pipeline.shared_context = &context;
  pipeline.curve = options.curve;
  pipeline.request_timeout = options.request_timeout;
  pipeline.retries = options.retries;
  pipeline.max_in_flight = static_cast<size_t>(options.depth);
  PipelinedClient client(options.broker, pipeline);
  RequestMakerOptions maker_options = options.requests;
  maker_options.client_index = index;
  maker_options.seed = options.requests.seed * 1'000'003ULL + index;
  RequestMaker maker(options.mix, maker_options);

  struct Sent {
    Clock::time_point at;
    OpKind kind;
  };
  std::unordered_map<uint64_t, Sent> sent;
  sent.reserve(static_cast<size_t>(options.depth) * 2);
  LoadResult& result = outcome.figures;
  std::optional<Clock::time_point> drain_deadline;

  while (true) {
    const int phase = progress.phase.load(std::memory_order_acquire);
    if (phase == kDraining) {
      if (!drain_deadline) drain_deadline = Clock::now() + LoadDefaults::kDrainTimeout;
      if (client.in_flight() == 0 || Clock::now() >= *drain_deadline) break;
    } else {
      while (client.in_flight() < static_cast<size_t>(options.depth)) {
        OpKind kind;
        Request request = maker.Next(&kind);
        const Clock::time_point at = Clock::now();
        Result<uint64_t> number = client.Send(std::move(request));
        if (!number.ok()) {
          if (phase == kMeasuring) CountError(result, "send_failed", progress);
          break;  // the socket is full or gone: wait for replies before trying again
        }
        sent[number.value()] = Sent{at, kind};
      }
    }
    for (Completion& completion : client.Poll(LoadDefaults::kPollSlice)) {
      const Clock::time_point now = Clock::now();
      progress.replies.fetch_add(1, std::memory_order_relaxed);
      auto found = sent.find(completion.request_number);
      if (found == sent.end()) continue;
      const Sent request = found->second;
      sent.erase(found);
      const bool measuring = progress.phase.load(std::memory_order_acquire) == kMeasuring;
      if (!measuring) continue;
      if (!completion.reply.ok()) {
        CountError(result, "client_" + std::string(ErrorKindName(completion.reply.error().kind)), progress);
        continue;
      }
      const Reply& reply = completion.reply.value();
      result.served_by_terms.emplace(reply.served_by, reply.term);
      if (reply.error) {
        CountError(result, std::string(ErrorKindName(reply.error->kind)), progress);
        continue;
      }
      const uint64_t latency = Nanos(now - request.at);
      OpFigures& op = result.by_op[static_cast<size_t>(request.kind)];
      ++op.ops;
      op.rejected += reply.rejected.size();
      op.latency.Record(latency);
      ++result.ops;
    }
  }
  result.resent = client.stats().resent;
  result.expired = client.stats().expired;
}

}  // namespace

LoadResult RunLoad(const LoadOptions& options, LoadProgress& progress,
                   const std::function<void(double)>& on_tick, double tick_interval_s) {
  const int clients = std::max(1, options.clients);
  std::vector<ClientOutcome> outcomes(static_cast<size_t>(clients));
  // One context for every client thread: its single I/O thread serves them
  // all, as one event loop serves redis-benchmark's connections.
  zmq::context_t context(LoadDefaults::kIoThreads);
  std::vector<std::thread> threads;
  progress.phase.store(options.warmup_s > 0 ? kWarmUp : kMeasuring);
  const Clock::time_point started = Clock::now();
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back(RunClient, std::cref(options), static_cast<uint32_t>(i), std::ref(progress),
                         std::ref(outcomes[static_cast<size_t>(i)]), std::ref(context));
  }
  auto seconds = [](double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); };
  const Clock::time_point warm_end = started + seconds(std::max(0.0, options.warmup_s));
  const Clock::time_point window_end = warm_end + seconds(std::max(0.0, options.duration_s));
  Clock::time_point window_start = started;
  Clock::time_point next_tick = started + seconds(tick_interval_s);
  while (true) {
    const Clock::time_point now = Clock::now();
    if (progress.phase.load() == kWarmUp && now >= warm_end) {
      window_start = Clock::now();
      progress.phase.store(kMeasuring, std::memory_order_release);
    }
    if (now >= window_end) break;
    if (on_tick && tick_interval_s > 0 && now >= next_tick) {
      on_tick(std::chrono::duration<double>(now - started).count());
      next_tick += seconds(tick_interval_s);
    }
    Clock::time_point wake = window_end;
    if (progress.phase.load() == kWarmUp) wake = std::min(wake, warm_end);
    if (on_tick && tick_interval_s > 0) wake = std::min(wake, next_tick);
    std::this_thread::sleep_until(wake);
  }
  const Clock::time_point window_closed = Clock::now();
  progress.phase.store(kDraining, std::memory_order_release);
  for (std::thread& thread : threads) thread.join();

  LoadResult total;
  total.measured_s = std::chrono::duration<double>(window_closed - window_start).count();
  for (ClientOutcome& outcome : outcomes) {
    LoadResult& part = outcome.figures;
    total.ops += part.ops;
    for (size_t k = 0; k < total.by_op.size(); ++k) {
      total.by_op[k].ops += part.by_op[k].ops;
      total.by_op[k].rejected += part.by_op[k].rejected;
      total.by_op[k].latency.Merge(part.by_op[k].latency);
      total.latency.Merge(part.by_op[k].latency);
    }
    total.errors += part.errors;
    for (const auto& [kind, count] : part.errors_by_kind) total.errors_by_kind[kind] += count;
    total.resent += part.resent;
    total.expired += part.expired;
    total.served_by_terms.insert(part.served_by_terms.begin(), part.served_by_terms.end());
  }
  return total;
}

size_t PreloadBatchPairs(size_t value_size) {
  const size_t pair_bytes = 16 + std::max<size_t>(1, value_size);  // a 16-byte key and its value
  return std::clamp<size_t>(LoadDefaults::kPreloadBatchBytes / pair_bytes, 1, LoadDefaults::kPreloadBatchPairs);
}

PreloadResult Preload(const std::string& broker, uint64_t key_space, size_t value_size,
                      std::chrono::milliseconds request_timeout, int retries, const std::optional<ClientCurve>& curve) {
  PreloadResult result;
  const Clock::time_point started = Clock::now();
  PipelineOptions pipeline;
  pipeline.curve = curve;
  pipeline.request_timeout = request_timeout;
  pipeline.retries = retries;
  pipeline.max_in_flight = LoadDefaults::kPreloadDepth;
  PipelinedClient client(broker, pipeline);
  std::mt19937_64 random(key_space);
  const std::string letters = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  auto value = [&] {
    std::string text(std::max<size_t>(1, value_size), 'a');
    for (char& c : text) c = letters[random() % letters.size()];
    return ValueElements(text);
  };
  const uint64_t batch_pairs = PreloadBatchPairs(value_size);
  uint64_t next_key = 0;
  std::unordered_map<uint64_t, size_t> pairs_of_request;
  auto note = [&](const Completion& completion) {
    const size_t pairs = pairs_of_request[completion.request_number];
    pairs_of_request.erase(completion.request_number);
    if (!completion.reply.ok() || completion.reply.value().error) {
      ++result.failed_requests;
      if (result.first_error.empty()) {
        result.first_error = completion.reply.ok() ? completion.reply.value().error->message
                                                   : completion.reply.error().message;
      }
      return;
    }
    const size_t rejected = completion.reply.value().rejected.size();
    result.already_present += rejected;
    result.added += pairs >= rejected ? pairs - rejected : 0;
  };
  while (next_key < key_space || client.in_flight() > 0) {
    while (next_key < key_space && client.in_flight() < LoadDefaults::kPreloadDepth) {
      std::vector<Pair> pairs;
      const uint64_t end = std::min(key_space, next_key + batch_pairs);
      for (; next_key < end; ++next_key) pairs.push_back(Pair{{KeySpaceKey(next_key)}, value()});
      const size_t count = pairs.size();
      Result<uint64_t> number = client.Send(MakePut(std::move(pairs)));
      if (!number.ok()) {
        ++result.failed_requests;
        if (result.first_error.empty()) result.first_error = number.error().message;
        continue;
      }
      pairs_of_request[number.value()] = count;
    }
    for (const Completion& completion : client.Poll(request_timeout)) note(completion);
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

}  // namespace ts::bench
