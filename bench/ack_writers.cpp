#include "bench/ack_writers.h"

#include <random>

#include "clients/pipelined_client.h"

namespace ts::bench {
namespace {

constexpr std::chrono::milliseconds kPollSlice{10};
constexpr std::chrono::milliseconds kDrainTimeout{2'000};

}  // namespace

AckWriters::AckWriters(AckWriterOptions options) : options_(std::move(options)) {}

AckWriters::~AckWriters() { Stop(); }

void AckWriters::Start() {
  stop_ = false;
  for (int i = 0; i < options_.writers; ++i) threads_.emplace_back(&AckWriters::Run, this, i);
}

void AckWriters::Stop() {
  stop_ = true;
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

void AckWriters::Arm(uint32_t killed, uint64_t term) {
  std::lock_guard lock(mutex_);
  armed_ = true;
  killed_ = killed;
  killed_term_ = term;
  first_ack_.reset();
}

std::optional<AckWriters::Clock::time_point> AckWriters::FirstAckAfterArm() const {
  std::lock_guard lock(mutex_);
  return first_ack_;
}

std::map<std::string, uint64_t> AckWriters::errors_by_kind() const {
  std::lock_guard lock(mutex_);
  return errors_by_kind_;
}

void AckWriters::NoteAck(uint32_t served_by, uint64_t term, Clock::time_point at) {
  acks_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  if (armed_ && !first_ack_ && served_by != killed_ && term > killed_term_) first_ack_ = at;
}

void AckWriters::NoteError(const std::string& kind, const std::string& message) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  ++errors_by_kind_[kind];
  first_error_messages_.try_emplace(kind, message);
}

std::map<std::string, std::string> AckWriters::first_error_messages() const {
  std::lock_guard lock(mutex_);
  return first_error_messages_;
}

void AckWriters::Run(int index) {
  PipelineOptions pipeline;
  pipeline.request_timeout = options_.request_timeout;
  pipeline.retries = options_.retries;
  pipeline.max_in_flight = static_cast<size_t>(options_.depth);
  PipelinedClient client(options_.broker, pipeline);
  std::mt19937_64 random(std::random_device{}());
  const std::string prefix = "f" + std::to_string(random() % 1'000'000'000) + "w" + std::to_string(index) + "x";
  uint64_t counter = 0;
  std::optional<Clock::time_point> drain_deadline;
  while (true) {
    if (stop_.load()) {
      if (!drain_deadline) drain_deadline = Clock::now() + kDrainTimeout;
      if (client.in_flight() == 0 || Clock::now() >= *drain_deadline) return;
    } else {
      while (client.in_flight() < static_cast<size_t>(options_.depth)) {
        std::string value = std::to_string(random());
        value.resize(options_.value_size, '0');
        if (!client.Send(MakePut({Pair{{prefix + std::to_string(++counter)}, {value}}})).ok()) break;
      }
    }
    for (Completion& completion : client.Poll(kPollSlice)) {
      const Clock::time_point now = Clock::now();
      if (!completion.reply.ok()) {
        const Error& error = completion.reply.error();
        NoteError("client_" + std::string(ErrorKindName(error.kind)), error.message);
      } else if (completion.reply.value().error) {
        const Error& error = *completion.reply.value().error;
        NoteError(std::string(ErrorKindName(error.kind)), error.message);
      } else {
        NoteAck(completion.reply.value().served_by, completion.reply.value().term, now);
      }
    }
  }
}

}  // namespace ts::bench
