#include "clients/in_flight.h"

#include <algorithm>

namespace ts {

InFlightTable::InFlightTable(std::chrono::milliseconds attempt_timeout, int max_attempts)
    : attempt_timeout_(attempt_timeout), max_attempts_(std::max(1, max_attempts)) {}

void InFlightTable::OnSent(uint64_t number, std::string frame, TimePoint now) {
  entries_[number] = Entry{std::move(frame), 1, now + attempt_timeout_};
}

std::optional<InFlightTable::Completed> InFlightTable::OnReply(uint64_t number) {
  if (number == 0) {
    if (entries_.empty()) return std::nullopt;
    number = entries_.begin()->first;
  }
  auto found = entries_.find(number);
  if (found == entries_.end()) return std::nullopt;
  Completed completed{number, found->second.attempts};
  entries_.erase(found);
  return completed;
}

InFlightTable::TickActions InFlightTable::OnTick(TimePoint now) {
  TickActions actions;
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& entry = it->second;
    if (entry.deadline > now) {
      ++it;
      continue;
    }
    if (entry.attempts >= max_attempts_) {
      actions.expired.push_back(it->first);
      it = entries_.erase(it);
      continue;
    }
    ++entry.attempts;
    entry.deadline = now + attempt_timeout_;
    actions.resend.push_back(it->first);
    ++it;
  }
  return actions;
}

std::vector<uint64_t> InFlightTable::RedirectAll(TimePoint now, const std::vector<uint64_t>& just_resent) {
  std::vector<uint64_t> send;
  send.reserve(entries_.size());
  for (auto& [number, entry] : entries_) {
    if (std::find(just_resent.begin(), just_resent.end(), number) != just_resent.end()) {
      send.push_back(number);
      continue;
    }
    if (entry.attempts >= max_attempts_) continue;
    ++entry.attempts;
    entry.deadline = now + attempt_timeout_;
    send.push_back(number);
  }
  return send;
}

std::vector<InFlightTable::Completed> InFlightTable::TakeAll() {
  std::vector<Completed> all;
  all.reserve(entries_.size());
  for (const auto& [number, entry] : entries_) all.push_back(Completed{number, entry.attempts});
  entries_.clear();
  return all;
}

const std::string& InFlightTable::FrameOf(uint64_t number) const {
  static const std::string kNone;
  auto found = entries_.find(number);
  return found == entries_.end() ? kNone : found->second.frame;
}

int InFlightTable::AttemptsOf(uint64_t number) const {
  auto found = entries_.find(number);
  return found == entries_.end() ? 0 : found->second.attempts;
}

std::optional<InFlightTable::TimePoint> InFlightTable::NextDeadline() const {
  std::optional<TimePoint> earliest;
  for (const auto& [number, entry] : entries_) {
    if (!earliest || entry.deadline < *earliest) earliest = entry.deadline;
  }
  return earliest;
}

}  // namespace ts
