// Shared by the durable log's tests: entries that look like real ones, a
// temp directory, and a way to compare what a log recovered.
#pragma once

#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "nodes/log/durable_log.h"
#include "nodes/log/memory_storage.h"

namespace ts::wal::testing {

// A PUT of one pair by client 7 at (term, seq), with its reply; seq 1 of each
// term is the term-opening no-op (no client, no reply, no effect).
inline LogEntry MakeEntry(uint64_t term, uint64_t seq) {
  LogEntry entry;
  entry.position = LogPosition{term, seq};
  if (seq % 5 == 1) return entry;  // a no-op now and then
  entry.request_id = RequestId{7, seq};
  const std::string key = "user," + std::to_string(seq);
  entry.effect.upserts.emplace_back(key, "name" + std::to_string(term) + "x" + std::to_string(seq));
  if (seq % 3 == 0) entry.effect.erased_keys.push_back("user," + std::to_string(seq - 1));
  Reply reply;
  reply.id = entry.request_id;
  reply.op_name = "PUT";
  reply.served_by = 2;
  reply.term = term;
  entry.reply = reply;
  return entry;
}

// Entries seq first..last, all of `term`.
inline std::vector<LogEntry> MakeEntries(uint64_t term, uint64_t first, uint64_t last) {
  std::vector<LogEntry> entries;
  for (uint64_t seq = first; seq <= last; ++seq) entries.push_back(MakeEntry(term, seq));
  return entries;
}

inline bool SameEntry(const LogEntry& a, const LogEntry& b) {
  if (a.position != b.position || !(a.request_id == b.request_id) || !(a.effect == b.effect)) return false;
  if (a.reply.has_value() != b.reply.has_value()) return false;
  if (!a.reply) return true;
  return a.reply->id == b.reply->id && a.reply->op_name == b.reply->op_name && a.reply->term == b.reply->term &&
         a.reply->served_by == b.reply->served_by && a.reply->pairs == b.reply->pairs;
}

inline void RequireSameEntries(const std::vector<LogEntry>& got, const std::vector<LogEntry>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("entry " << i << " at " << cluster::Describe(want[i].position));
    REQUIRE(SameEntry(got[i], want[i]));
  }
}

inline ClientRecord MakeClientRow(uint64_t client, uint64_t request, uint64_t seq) {
  Reply reply;
  reply.id = RequestId{client, request};
  reply.op_name = "POST";
  reply.served_by = 1;
  reply.term = 3;
  return ClientRecord{client, request, seq, reply};
}

// Names in a directory, sorted, for checks on which files exist.
inline std::vector<std::string> SortedNames(Storage& storage, const std::string& dir) {
  auto names = storage.List(dir);
  REQUIRE(names.ok());
  std::vector<std::string> sorted = names.value();
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

inline Status NoPairs(SnapshotWriter&) { return Status::Ok(); }

struct TempDir {
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tuplestar-log-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path;
};

}  // namespace ts::wal::testing

namespace Catch {
template <>
struct StringMaker<ts::wal::LogState> {
  static std::string convert(const ts::wal::LogState& state) { return ts::wal::Describe(state); }
};
}  // namespace Catch
