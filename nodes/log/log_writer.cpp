#include "nodes/log/log_writer.h"

#include <utility>

#include "nodes/log/log_names.h"
#include "nodes/log/record_format.h"
#include "schema/log_codec.h"

namespace ts::wal {
namespace {

Status Unusable(const Status& cause) {
  return Error{ErrorKind::kInternal,
               "the log is unusable after a storage failure (" + cause.error().message +
                   "); the node must stop, and recovery at its next start repairs the log"};
}

}  // namespace

LogWriter::LogWriter(Storage& storage, std::string dir, LogOptions options, LogState state)
    : storage_(storage), dir_(std::move(dir)), options_(options), state_(state) {}

LogWriter::~LogWriter() {
  if (segment_) segment_->Close();
}

Result<std::unique_ptr<LogWriter>> LogWriter::Open(Storage& storage, const std::string& dir,
                                                   const RecoveredLog& recovered, LogOptions options) {
  std::unique_ptr<LogWriter> writer(new LogWriter(storage, dir, options, recovered.state));
  if (recovered.snapshot) writer->snapshot_path_ = recovered.snapshot->path;
  for (const std::string& path : recovered.obsolete_files) {
    Status removed = storage.Remove(path);
    if (!removed.ok()) return removed.error();
  }
  if (recovered.repair) {
    Status cut = storage.Truncate(recovered.repair->path, recovered.repair->offset);
    if (!cut.ok()) return cut.error();
  }
  if (recovered.segments.empty()) {
    Status started = writer->StartSegment(recovered.first_segment, /*sync_previous=*/false);
    if (!started.ok()) return started.error();
    return writer;
  }
  const SegmentFile& last = recovered.segments.back();
  auto file = storage.OpenAppendable(last.path);
  if (!file.ok()) return file.error();
  writer->segment_ = std::move(file).value();
  writer->segment_path_ = last.path;
  writer->segment_number_ = last.number;
  if (last.valid_bytes == 0) {  // its header was torn off: write it again
    Status written = writer->WriteRecord(RecordType::kSegmentHeader, EncodePayload(SegmentHeader{last.number, last.base}));
    if (!written.ok()) return written.error();
  }
  return writer;
}

Status LogWriter::Fail(Status status) {
  if (!status.ok() && failed_.ok()) failed_ = Unusable(status);
  return status.ok() ? status : failed_;
}

Status LogWriter::WriteRecord(RecordType type, const std::string& payload) {
  if (!failed_.ok()) return failed_;
  if (type != RecordType::kSegmentHeader && segment_->size() >= options_.segment_bytes) {
    Status rolled = StartSegment(segment_number_ + 1, /*sync_previous=*/true);
    if (!rolled.ok()) return rolled;
  }
  const std::string record = FrameRecord(type, payload);
  Status appended = segment_->Append(record);
  if (!appended.ok()) return Fail(appended);
  unsynced_bytes_ += record.size();
  ++stats_.records;
  stats_.bytes += record.size();
  return Status::Ok();
}

Status LogWriter::SyncSegment() {
  if (unsynced_bytes_ == 0) return Status::Ok();
  Status synced = segment_->Sync();
  if (!synced.ok()) return Fail(synced);
  unsynced_bytes_ = 0;
  ++stats_.syncs;
  return Status::Ok();
}

Status LogWriter::StartSegment(uint64_t number, bool sync_previous) {
  if (segment_) {
    if (sync_previous) {
      Status synced = SyncSegment();
      if (!synced.ok()) return synced;
    }
    if (before_close_) before_close_();  // no sync thread may still use it
    Status closed = segment_->Close();
    if (!closed.ok()) return Fail(closed);
    segment_.reset();
  }
  const std::string path = JoinPath(dir_, SegmentFileName(number, state_.last));
  auto file = storage_.NewWritableFile(path);
  if (!file.ok()) return Fail(file.error());
  Status named = storage_.SyncDir(dir_);  // the new name is durable before any record in it is
  if (!named.ok()) return Fail(named);
  segment_ = std::move(file).value();
  segment_path_ = path;
  segment_number_ = number;
  unsynced_bytes_ = 0;
  ++stats_.segments_started;
  return WriteRecord(RecordType::kSegmentHeader, EncodePayload(SegmentHeader{number, state_.last}));
}

Status LogWriter::Append(std::span<const LogEntry> entries) {
  if (!failed_.ok()) return failed_;
  if (entries.empty()) return Status::Ok();
  Status fits = state_.CheckEntries(entries);
  if (!fits.ok()) return fits;
  size_t start = 0;
  while (start < entries.size()) {
    size_t end = start + 1;
    while (end < entries.size() && entries[end].position.term == entries[start].position.term) ++end;
    const std::span<const LogEntry> run = entries.subspan(start, end - start);
    Status written = WriteRecord(RecordType::kEntryBatch, EncodeEntryBatch(run));
    if (!written.ok()) return written;
    state_.ApplyEntries(run);
    start = end;
  }
  return Status::Ok();
}

Status LogWriter::AppendTerm(uint64_t term) {
  if (!failed_.ok()) return failed_;
  Status fits = state_.CheckTerm(term);
  if (!fits.ok() || term == state_.term) return fits;
  Status written = WriteRecord(RecordType::kTermChange, EncodePayload(TermChange{term}));
  if (written.ok()) state_.ApplyTerm(term);
  return written;
}

Status LogWriter::AppendVote(uint64_t term, NodeId candidate) {
  if (!failed_.ok()) return failed_;
  const Vote vote{term, candidate};
  Status fits = state_.CheckVote(vote);
  if (!fits.ok() || (term == state_.term && candidate == state_.voted_for)) return fits;
  Status written = WriteRecord(RecordType::kVote, EncodePayload(vote));
  if (written.ok()) state_.ApplyVote(vote);
  return written;
}

std::optional<LogWriter::SyncJob> LogWriter::BeginSync() {
  if (!failed_.ok() || unsynced_bytes_ == 0 || !segment_) return std::nullopt;
  unsynced_bytes_ = 0;
  return SyncJob{segment_.get(), state_.last, state_.term};
}

Status LogWriter::FinishSync(Status result) {
  if (!failed_.ok()) return failed_;
  if (!result.ok()) return Fail(result);
  ++stats_.syncs;
  return Status::Ok();
}

Status LogWriter::Sync() {
  if (!failed_.ok()) return failed_;
  return SyncSegment();
}

Result<std::string> WriteSnapshotFile(Storage& storage, const std::string& dir, const SnapshotHeader& header,
                                      size_t chunk_bytes, const SnapshotFill& fill) {
  auto writer = SnapshotWriter::Create(storage, dir, header, chunk_bytes);
  if (!writer.ok()) return writer.error();
  Status filled = fill(*writer.value());
  if (!filled.ok()) return filled.error();
  Status committed = writer.value()->Commit();
  if (!committed.ok()) return committed.error();
  return writer.value()->path();
}

Status LogWriter::CommitSnapshot(const SnapshotHeader& header, const SnapshotFill& fill) {
  Result<std::string> written = WriteSnapshotFile(storage_, dir_, header, options_.snapshot_chunk_bytes, fill);
  if (!written.ok()) return written.error();
  snapshot_path_ = written.value();
  ++stats_.snapshots;
  return Status::Ok();
}

// Once a snapshot numbered first_segment is durable, nothing before it is needed.
Status LogWriter::RemoveBefore(uint64_t first_segment) {
  Result<std::vector<std::string>> names = storage_.List(dir_);
  if (!names.ok()) return names.error();
  for (const std::string& name : names.value()) {
    const ParsedFileName parsed = ParseFileName(name);
    const bool older = (parsed.kind == ParsedFileName::Kind::kSegment ||
                        parsed.kind == ParsedFileName::Kind::kSnapshot) && parsed.number < first_segment;
    if (!older) continue;
    Status removed = storage_.Remove(JoinPath(dir_, name));
    if (!removed.ok()) return removed;
  }
  return Status::Ok();
}

Status LogWriter::WriteSnapshot(const SnapshotFill& fill) {
  Result<SnapshotHeader> header = BeginSnapshot();
  if (!header.ok()) return header.error();
  return FinishSnapshot(header.value(), WriteSnapshotFile(storage_, dir_, header.value(),
                                                          options_.snapshot_chunk_bytes, fill));
}

Result<SnapshotHeader> LogWriter::BeginSnapshot() {
  if (!failed_.ok()) return failed_.error();
  // The log after the snapshot starts in a segment of its own, so that the
  // snapshot needs nothing before it.
  Status rolled = StartSegment(segment_number_ + 1, /*sync_previous=*/true);
  if (!rolled.ok()) return rolled.error();
  return SnapshotHeader{segment_number_, state_.last, state_.term, state_.voted_for};
}

Status LogWriter::FinishSnapshot(const SnapshotHeader& header, const Result<std::string>& written) {
  if (!failed_.ok()) return failed_;
  if (!written.ok()) return written.error();  // the log itself is intact
  snapshot_path_ = written.value();
  ++stats_.snapshots;
  return RemoveBefore(header.first_segment);
}

Status LogWriter::InstallSnapshot(LogPosition at, const SnapshotFill& fill) {
  if (!failed_.ok()) return failed_;
  LogState installed = state_;
  installed.last = at;
  if (at.term > installed.term) {
    installed.term = at.term;
    installed.voted_for = cluster::kNoNode;
  }
  const uint64_t number = segment_number_ + 1;
  const SnapshotHeader header{number, at, installed.term, installed.voted_for};
  Status committed = CommitSnapshot(header, fill);
  if (!committed.ok()) {
    // Renamed but not known durable: the next start may recover from it, so
    // appending to the old log now would write records recovery drops.
    if (storage_.Exists(JoinPath(dir_, SnapshotFileName(number, at)))) return Fail(committed);
    return committed;  // the old log is still whole and current
  }
  state_ = installed;
  // What the old segment held is replaced: no need to sync it.
  Status started = StartSegment(number, /*sync_previous=*/false);
  if (!started.ok()) return started;
  return RemoveBefore(number);
}

}  // namespace ts::wal
