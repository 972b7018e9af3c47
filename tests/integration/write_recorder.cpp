#include "tests/integration/write_recorder.h"

#include <algorithm>

#include "clients/client.h"
#include "common/status.h"
#include "common/tuple.h"
#include "tests/integration/cluster_fixture.h"

namespace ts::itest {

void AckMonitor::Record(uint32_t served_by, uint64_t term) {
  AckEvent event{served_by, term, std::chrono::steady_clock::now()};
  std::lock_guard lock(mutex_);
  ++count_;
  if (!latest_ || event.term >= latest_->term) latest_ = event;
  if (armed_term_ && !first_after_arm_ && event.term > *armed_term_) first_after_arm_ = event;
}

void AckMonitor::Arm(uint64_t term) {
  std::lock_guard lock(mutex_);
  armed_term_ = term;
  first_after_arm_.reset();
}

std::optional<AckEvent> AckMonitor::FirstAckAfterArm() const {
  std::lock_guard lock(mutex_);
  return first_after_arm_;
}

std::optional<AckEvent> AckMonitor::Latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

uint64_t AckMonitor::count() const {
  std::lock_guard lock(mutex_);
  return count_;
}

Writer::Writer(int index, std::string endpoint, AckMonitor& monitor, size_t pairs_per_put,
               std::optional<ClientOptions> options)
    : endpoint_(std::move(endpoint)),
      monitor_(monitor),
      pairs_per_put_(std::max<size_t>(1, pairs_per_put)),
      options_(std::move(options)) {
  report_.index = index;
}

Writer::~Writer() { Stop(); }

void Writer::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Writer::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::string Writer::KeyPattern(int index) { return "w" + std::to_string(index) + ",[0-9]+"; }

void Writer::Run() {
  Client client(endpoint_, options_ ? *options_ : PatientClientOptions());
  const std::string prefix = "w" + std::to_string(report_.index);
  std::vector<std::string> acknowledged_keys;  // POST targets
  uint64_t next_key = 0;
  for (uint64_t call = 1; !stop_; ++call) {
    const bool update = call % 4 == 0 && !acknowledged_keys.empty();
    std::vector<std::pair<std::string, std::string>> writes;  // key text, value text
    std::vector<Pair> pairs;
    if (update) {
      std::string key = acknowledged_keys[(call / 4) % acknowledged_keys.size()];
      writes.emplace_back(key, "u" + std::to_string(call));
    } else {
      for (size_t i = 0; i < pairs_per_put_; ++i) {
        writes.emplace_back(prefix + "," + std::to_string(next_key++), "v" + std::to_string(call));
      }
    }
    for (const auto& [key, value] : writes) pairs.push_back(Pair{SplitTupleText(key), {value}});
    Result<Reply> reply = update ? client.Post(std::move(pairs)) : client.Put(std::move(pairs));
    ++report_.calls;

    if (!reply.ok() || !reply.value().ok()) {
      std::string failure = !reply.ok() ? "client: " + reply.error().message
                                        : "reply: " + std::string(ErrorKindName(reply.value().error->kind));
      ++report_.failures[failure];
      ++report_.unconfirmed_calls;
      for (const auto& [key, value] : writes) report_.keys[key].unconfirmed.insert(value);
      continue;
    }
    std::set<std::string> rejected;
    for (const Rejection& rejection : reply.value().rejected) {
      std::string key = TupleText(rejection.pair.key);
      rejected.insert(key);
      report_.anomalies.push_back(std::string(update ? "POST" : "PUT") + " of " + key + " rejected (" +
                                  std::string(RejectReasonName(rejection.reason)) + ") by node " +
                                  std::to_string(reply.value().served_by) + " in term " +
                                  std::to_string(reply.value().term));
    }
    for (const auto& [key, value] : writes) {
      KeyState& state = report_.keys[key];
      if (rejected.count(key) != 0) {
        state.unconfirmed.insert(value);
        continue;
      }
      state.acknowledged = value;
      state.unconfirmed.clear();
      if (!update) acknowledged_keys.push_back(key);
    }
    if (rejected.empty()) {
      ++report_.acknowledged_calls;
      ++acknowledged_calls_;
      monitor_.Record(reply.value().served_by, reply.value().term);
    }
  }
}

std::vector<std::string> CheckWrites(const WriterReport& report,
                                     const std::map<std::string, std::string>& actual) {
  std::vector<std::string> problems;
  for (const auto& [key, state] : report.keys) {
    auto found = actual.find(key);
    const bool possible = found != actual.end() && state.unconfirmed.count(found->second) != 0;
    if (state.acknowledged) {
      if (found == actual.end()) {
        problems.push_back("acknowledged " + key + "=" + *state.acknowledged + " is missing");
      } else if (found->second != *state.acknowledged && !possible) {
        problems.push_back(key + " holds " + found->second + ", acknowledged " + *state.acknowledged);
      }
    } else if (found != actual.end() && !possible) {
      problems.push_back(key + " holds " + found->second + ", which was never written");
    }
  }
  for (const auto& [key, value] : actual) {
    if (report.keys.count(key) == 0) problems.push_back(key + "=" + value + " was never written");
  }
  return problems;
}

std::string JoinSome(const std::vector<std::string>& items, size_t limit) {
  std::string text;
  for (size_t i = 0; i < items.size() && i < limit; ++i) text += (i == 0 ? "" : "; ") + items[i];
  if (items.size() > limit) text += "; ... (" + std::to_string(items.size() - limit) + " more)";
  return text;
}

}  // namespace ts::itest
