#include "nodes/log/recovery.h"

#include <map>
#include <utility>
#include <variant>

#include "nodes/log/log_names.h"
#include "nodes/log/record_format.h"
#include "schema/log_codec.h"

namespace ts::wal {

const char* const kDamagedLogAdvice =
    "This is not what a crash leaves (a crash only damages the end of the last segment), so the node will "
    "not guess. To recover: stop the node, move its data directory aside (keep it for diagnosis) and start "
    "the node with an empty one; it rejoins the cluster and copies the state from the primary. Do that only "
    "while the other nodes hold the acknowledged writes.";

namespace {

Error Damaged(const std::string& what, const std::string& path, uint64_t offset, const std::string& why) {
  return Error{ErrorKind::kInternal, what + " " + path + ", offset " + std::to_string(offset) + ": " + why + ". " +
                                         kDamagedLogAdvice};
}

struct Listed {
  std::string path;
  LogPosition position;
};

// Replays one segment's records into `out`. `bytes` is the whole file.
Status ReplaySegment(const SegmentFile& segment, const ScanResult& scan, RecoveredLog& out) {
  auto damaged = [&](uint64_t offset, const std::string& why) { return Damaged("log segment", segment.path, offset, why); };
  for (size_t i = 0; i < scan.records.size(); ++i) {
    const RecordView& view = scan.records[i];
    Result<LogRecord> decoded = DecodeLogRecord(view.type, view.payload);
    if (!decoded.ok()) return damaged(view.offset, decoded.error().message);
    LogRecord& record = decoded.value();
    if (i == 0) {
      const auto* header = std::get_if<SegmentHeader>(&record);
      if (header == nullptr) return damaged(view.offset, "the first record is a " + RecordTypeName(view.type) + ", not a segment header");
      if (header->number != segment.number || header->base != segment.base) {
        return damaged(view.offset, "the segment header says segment " + std::to_string(header->number) +
                                        " after " + cluster::Describe(header->base) + "; the file name says segment " +
                                        std::to_string(segment.number) + " after " + cluster::Describe(segment.base));
      }
      continue;
    }
    ++out.records_read;
    Status applied = std::visit(
        [&](auto& body) -> Status {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, SegmentHeader>) {
            return Error{ErrorKind::kInternal, "a second segment header"};
          } else if constexpr (std::is_same_v<T, EntryBatch>) {
            if (body.entries.empty() || body.last_seq != body.first_seq + body.entries.size() - 1) {
              return Error{ErrorKind::kInternal, "an entry batch whose range " + std::to_string(body.first_seq) + ".." +
                                                     std::to_string(body.last_seq) + " does not match its " +
                                                     std::to_string(body.entries.size()) + " entries"};
            }
            for (size_t k = 0; k < body.entries.size(); ++k) {
              const LogPosition expected{body.term, body.first_seq + k};
              if (body.entries[k].position != expected) {
                return Error{ErrorKind::kInternal, "entry " + std::to_string(k + 1) + " of a batch is at " +
                                                       cluster::Describe(body.entries[k].position) + ", not " +
                                                       cluster::Describe(expected)};
              }
            }
            Status fits = out.state.CheckEntries(body.entries);
            if (!fits.ok()) return fits;
            out.state.ApplyEntries(body.entries);
            for (LogEntry& entry : body.entries) out.entries.push_back(std::move(entry));
            return Status::Ok();
          } else if constexpr (std::is_same_v<T, TermChange>) {
            Status fits = out.state.CheckTerm(body.term);
            if (fits.ok()) out.state.ApplyTerm(body.term);
            return fits;
          } else {
            Status fits = out.state.CheckVote(body);
            if (fits.ok()) out.state.ApplyVote(body);
            return fits;
          }
        },
        record);
    if (!applied.ok()) return damaged(view.offset, applied.error().message);
  }
  return Status::Ok();
}

}  // namespace

Result<RecoveredLog> Recover(Storage& storage, const std::string& dir) {
  Result<std::vector<std::string>> names = storage.List(dir);
  if (!names.ok()) return names.error();

  std::map<uint64_t, Listed> segments;
  std::map<uint64_t, Listed> snapshots;
  RecoveredLog out;
  for (const std::string& name : names.value()) {
    const ParsedFileName parsed = ParseFileName(name);
    const std::string path = JoinPath(dir, name);
    if (parsed.kind == ParsedFileName::Kind::kTemp) out.obsolete_files.push_back(path);
    if (parsed.kind != ParsedFileName::Kind::kSegment && parsed.kind != ParsedFileName::Kind::kSnapshot) continue;
    auto& listed = parsed.kind == ParsedFileName::Kind::kSegment ? segments : snapshots;
    auto [it, added] = listed.try_emplace(parsed.number, Listed{path, parsed.position});
    if (!added) {
      return Damaged("log directory", dir, 0, "two files bear number " + std::to_string(parsed.number) + ": " +
                                                  it->second.path + " and " + path);
    }
  }

  if (!snapshots.empty()) {
    const auto& [number, listed] = *snapshots.rbegin();
    Result<Snapshot> snapshot = ReadSnapshot(storage, listed.path);
    if (!snapshot.ok()) return Error{ErrorKind::kInternal, snapshot.error().message + ". " + kDamagedLogAdvice};
    const SnapshotHeader& header = snapshot.value().header;
    if (header.first_segment != number || header.at != listed.position) {
      return Damaged("snapshot", listed.path, 0, "its header says segment " + std::to_string(header.first_segment) +
                                                     " at " + cluster::Describe(header.at) + ", its name segment " +
                                                     std::to_string(number) + " at " + cluster::Describe(listed.position));
    }
    out.state = LogState{header.at, header.term, header.voted_for};
    out.first_segment = number;
    out.bytes_read += snapshot.value().file_bytes;
    out.snapshot = std::move(snapshot).value();
    for (const auto& [older, file] : snapshots) {
      if (older != number) out.obsolete_files.push_back(file.path);
    }
  }
  for (const auto& [number, listed] : segments) {
    if (number < out.first_segment) out.obsolete_files.push_back(listed.path);
  }

  uint64_t expected = out.first_segment;
  for (auto it = segments.lower_bound(out.first_segment); it != segments.end(); ++it, ++expected) {
    const auto& [number, listed] = *it;
    if (number != expected) {
      const std::string missing = number == expected + 1 ? "segment " + std::to_string(expected)
                                                         : "segments " + std::to_string(expected) + " to " +
                                                               std::to_string(number - 1);
      return Damaged("log segment", listed.path, 0,
                     missing + " before it " + (number == expected + 1 ? "is" : "are") + " missing" +
                         (out.snapshot ? " (the snapshot " + out.snapshot->path + " needs every segment from " +
                                             std::to_string(out.first_segment) + " on)"
                                       : " (without a snapshot the log must start at segment 1)"));
    }
    SegmentFile segment{listed.path, number, listed.position, 0};
    if (segment.base != out.state.last) {
      return Damaged("log segment", listed.path, 0, "it starts after " + cluster::Describe(segment.base) +
                                                        " but the log before it ends at " +
                                                        cluster::Describe(out.state.last));
    }
    Result<std::string> bytes = storage.ReadFile(listed.path);
    if (!bytes.ok()) return bytes.error();
    out.bytes_read += bytes.value().size();
    const ScanResult scan = ScanRecords(bytes.value());
    const bool last = std::next(it) == segments.end();

    if (scan.stop == ScanResult::Stop::kCorrupt) {
      return Damaged("log segment", listed.path, scan.valid_bytes,
                     scan.damage + ", yet a whole record follows at offset " + std::to_string(scan.next_valid_offset) +
                         ": damage before the tail, not a torn write");
    }
    if (!last && scan.stop == ScanResult::Stop::kDamagedTail) {
      return Damaged("log segment", listed.path, scan.valid_bytes,
                     scan.damage + " in a segment that is not the last (it was synced before the next one began)");
    }
    if (!last && scan.records.empty()) {
      return Damaged("log segment", listed.path, 0, "the segment is empty but is not the last");
    }
    Status replayed = ReplaySegment(segment, scan, out);
    if (!replayed.ok()) return replayed.error();
    segment.valid_bytes = scan.valid_bytes;
    if (scan.stop == ScanResult::Stop::kDamagedTail) {
      out.repair = TailRepair{listed.path, scan.valid_bytes, scan.file_bytes - scan.valid_bytes,
                              scan.damage_is_zeros ? 0u : 1u, scan.damage_is_zeros ? "zero bytes" : scan.damage};
    }
    out.segments.push_back(std::move(segment));
  }
  return out;
}

std::string RecoveredLog::Describe() const {
  std::string text = "recovered ";
  if (snapshot) {
    text += "snapshot " + snapshot->path + " (" + std::to_string(snapshot->pairs.size()) + " pairs, " +
            std::to_string(snapshot->clients.size()) + " client rows, at " + cluster::Describe(snapshot->header.at) +
            ") + ";
  }
  text += std::to_string(entries.size()) + " entries from " + std::to_string(segments.size()) + " segment" +
          (segments.size() == 1 ? "" : "s") + " (" + std::to_string(records_read) + " records, " +
          std::to_string(bytes_read) + " bytes read): " + wal::Describe(state);
  if (repair) {
    text += "; dropping a damaged tail of " + std::to_string(repair->bytes_dropped) + " bytes (" +
            std::to_string(repair->records_dropped) + " record" + (repair->records_dropped == 1 ? "" : "s") +
            ") at " + repair->path + " offset " + std::to_string(repair->offset) + " (" + repair->damage + ")";
  }
  if (!obsolete_files.empty()) text += "; " + std::to_string(obsolete_files.size()) + " obsolete files to remove";
  return text;
}

}  // namespace ts::wal
