#include "nodes/replica_state.h"

namespace ts::cluster {

const ClientRecord* ClientTable::Find(uint64_t client_id) const {
  auto it = rows_.find(client_id);
  return it == rows_.end() ? nullptr : &it->second;
}

void ClientTable::Record(uint64_t client_id, uint64_t request_number, uint64_t seq,
                         const Reply& reply) {
  if (client_id == 0 || max_rows_ == 0) return;  // anonymous: no exactly-once
  auto it = rows_.find(client_id);
  if (it != rows_.end()) {
    by_seq_.erase({it->second.seq, client_id});
    it->second = ClientRecord{client_id, request_number, seq, reply};
  } else {
    rows_.emplace(client_id, ClientRecord{client_id, request_number, seq, reply});
  }
  by_seq_.insert({seq, client_id});
  while (rows_.size() > max_rows_) {
    auto oldest = by_seq_.begin();
    rows_.erase(oldest->second);
    by_seq_.erase(oldest);
  }
}

std::vector<ClientRecord> ClientTable::Rows() const {
  std::vector<ClientRecord> rows;
  rows.reserve(rows_.size());
  for (const auto& [id, row] : rows_) rows.push_back(row);
  return rows;
}

void ClientTable::Replace(const std::vector<ClientRecord>& rows) {
  rows_.clear();
  by_seq_.clear();
  for (const ClientRecord& row : rows) Record(row.client_id, row.request_number, row.seq, row.reply);
}

namespace {

size_t ApproximateBytes(const LogEntry& entry) {
  size_t bytes = 64;
  for (const auto& [key, value] : entry.effect.upserts) bytes += key.size() + value.size() + 16;
  for (const std::string& key : entry.effect.erased_keys) bytes += key.size() + 16;
  if (entry.reply) {
    for (const Pair& pair : entry.reply->pairs) bytes += TupleText(pair.key).size() + TupleText(pair.value).size() + 32;
    for (const Rejection& r : entry.reply->rejected) bytes += TupleText(r.pair.key).size() + TupleText(r.pair.value).size() + 32;
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
  space.ApplyEffect(entry.effect);
  Record(entry);
}

void ReplicaState::Record(const LogEntry& entry) {
  if (entry.reply.has_value()) {
    clients.Record(entry.request_id.client_id, entry.request_id.request_number,
                   entry.position.seq, *entry.reply);
  }
  log.Append(entry);
  last_applied = entry.position;
}

void ReplicaState::Install(const std::vector<std::pair<std::string, std::string>>& pairs,
                           LogPosition at, const std::vector<ClientRecord>& client_rows) {
  space.Clear();
  for (const auto& [key, value] : pairs) space.Upsert(key, value);
  clients.Replace(client_rows);
  log.Reset(at);
  last_applied = at;
}

}  // namespace ts::cluster
