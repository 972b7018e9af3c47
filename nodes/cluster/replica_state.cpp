#include "nodes/cluster/replica_state.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace ts::cluster {

const ClientRecord* ClientTable::Find(uint64_t client_id, uint64_t request_number) const {
  auto it = rows_.find(RowKey{client_id, request_number});
  return it == rows_.end() ? nullptr : &it->second;
}

uint64_t ClientTable::NewestRequest(uint64_t client_id) const {
  auto after = rows_.lower_bound(RowKey{client_id + 1, 0});
  if (after == rows_.begin()) return 0;
  auto newest = std::prev(after);
  return newest->first.first == client_id ? newest->first.second : 0;
}

void ClientTable::Erase(std::map<RowKey, ClientRecord>::iterator row) {
  by_seq_.erase({row->second.seq, row->first});
  rows_.erase(row);
}

void ClientTable::Record(uint64_t client_id, uint64_t request_number, uint64_t seq,
                         const Reply& reply) {
  if (client_id == 0 || max_rows_ == 0 || per_client_ == 0) return;  // anonymous: no exactly-once
  const RowKey key{client_id, request_number};
  if (auto it = rows_.find(key); it != rows_.end()) Erase(it);
  rows_.emplace(key, ClientRecord{client_id, request_number, seq, reply});
  by_seq_.insert({seq, key});
  // The client's oldest rows beyond its window go first...
  auto first = rows_.lower_bound(RowKey{client_id, 0});
  size_t kept = 0;
  for (auto it = first; it != rows_.end() && it->first.first == client_id; ++it) ++kept;
  for (; kept > per_client_; --kept) Erase(rows_.lower_bound(RowKey{client_id, 0}));
  // ...then the oldest writes of all.
  while (rows_.size() > max_rows_) Erase(rows_.find(by_seq_.begin()->second));
}

std::vector<ClientRecord> ClientTable::Rows() const {
  std::vector<ClientRecord> rows;
  rows.reserve(rows_.size());
  for (const auto& [seq, key] : by_seq_) rows.push_back(rows_.at(key));
  return rows;
}

void ClientTable::Replace(const std::vector<ClientRecord>& rows) {
  rows_.clear();
  by_seq_.clear();
  std::vector<const ClientRecord*> by_seq;
  by_seq.reserve(rows.size());
  for (const ClientRecord& row : rows) by_seq.push_back(&row);
  std::stable_sort(by_seq.begin(), by_seq.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
  for (const ClientRecord* row : by_seq) Record(row->client_id, row->request_number, row->seq, row->reply);
}

namespace {

// What a std::string holding `text` occupies: the object, and a heap block
// (rounded up to 16 bytes) once the text outgrows the inline buffer.
size_t StringBytes(size_t text_size) {
  constexpr size_t kInlineCapacity = 15;  // libstdc++'s short-string buffer
  return sizeof(std::string) + (text_size > kInlineCapacity ? (text_size + 1 + 15) / 16 * 16 : 0);
}

size_t TupleBytes(const Tuple& tuple) {
  size_t bytes = sizeof(Tuple);
  for (const std::string& element : tuple) bytes += StringBytes(element.size());
  return bytes;
}

// The entry's memory as held in the log, so that max_bytes bounds what the
// log really keeps (it once counted only the texts: a third of it).
size_t ApproximateBytes(const LogEntry& entry) {
  size_t bytes = sizeof(LogEntry);
  for (const auto& [key, value] : entry.effect.upserts) bytes += StringBytes(key.size()) + StringBytes(value.size());
  for (const std::string& key : entry.effect.erased_keys) bytes += StringBytes(key.size());
  if (entry.reply) {
    bytes += sizeof(Reply);
    for (const Pair& pair : entry.reply->pairs) bytes += TupleBytes(pair.key) + TupleBytes(pair.value);
    for (const Rejection& r : entry.reply->rejected) bytes += sizeof(Rejection) + TupleBytes(r.pair.key) + TupleBytes(r.pair.value);
  }
  return bytes;
}

}  // namespace

void RecentLog::Reset(LogPosition base) {
  base_ = base;
  entries_.clear();
  bytes_ = 0;
}

void RecentLog::Append(const LogEntry& entry) {
  const size_t bytes = ApproximateBytes(entry);
  entries_.emplace_back(entry, bytes);
  bytes_ += bytes;
  while (!entries_.empty() && (entries_.size() > capacity_ || bytes_ > max_bytes_)) {
    base_ = entries_.front().first.position;
    bytes_ -= entries_.front().second;
    entries_.pop_front();
  }
}

LogPosition RecentLog::last() const {
  return entries_.empty() ? base_ : entries_.back().first.position;
}

std::optional<uint64_t> RecentLog::TermAt(uint64_t seq) const {
  if (seq == base_.seq) return base_.term;
  if (seq < base_.seq || seq > last().seq) return std::nullopt;
  return entries_[seq - base_.seq - 1].first.position.term;
}

std::optional<std::vector<LogEntry>> RecentLog::EntriesAfter(uint64_t seq) const {
  if (seq < base_.seq || seq > last().seq) return std::nullopt;
  std::vector<LogEntry> after;
  after.reserve(static_cast<size_t>(last().seq - seq));
  for (auto it = entries_.begin() + static_cast<std::ptrdiff_t>(seq - base_.seq); it != entries_.end(); ++it) {
    after.push_back(it->first);
  }
  return after;
}

void ReplicaState::Apply(const LogEntry& entry) {
  std::vector<std::string> erased_values;
  erased_values.reserve(entry.effect.erased_keys.size());
  for (const std::string& key : entry.effect.erased_keys) {
    auto it = space.pairs().find(key);
    erased_values.emplace_back(it == space.pairs().end() ? std::string_view() : it->value());
  }
  space.ApplyEffect(entry.effect);
  Record(entry, erased_values);
}

void ReplicaState::Record(const LogEntry& entry, const std::vector<std::string>& erased_values) {
  changes.Add(entry, erased_values);
  if (entry.reply.has_value()) {
    clients.Record(entry.request_id.client_id, entry.request_id.request_number,
                   entry.position.seq, *entry.reply);
  }
  log.Append(entry);
  last_applied = entry.position;
  if (journaling && !journal.installed) journal.entries.push_back(entry);
}

void ReplicaState::Install(TupleSpace& staged, LogPosition at, const std::vector<ClientRecord>& client_rows) {
  space.TakePairs(staged);
  clients.Replace(client_rows);
  log.Reset(at);
  changes.Reset(at.seq);
  last_applied = at;
  if (journaling) {
    journal.entries.clear();
    journal.installed = true;
  }
}

ReplicaState::Journal ReplicaState::TakeJournal() { return std::exchange(journal, Journal{}); }

}  // namespace ts::cluster
