#include "nodes/log/snapshot.h"

#include <utility>
#include <variant>

#include "nodes/log/crc32c.h"
#include "nodes/log/log_names.h"
#include "nodes/log/record_format.h"
#include "schema/codec.h"
#include "schema/log_codec.h"

namespace ts::wal {
namespace {

// A pair's share of a chunk: its texts plus Cap'n Proto's pointers and padding.
size_t PairBytes(std::string_view key, std::string_view value) { return key.size() + value.size() + 40; }

Error Unreadable(const std::string& path, uint64_t offset, const std::string& why) {
  return Error{ErrorKind::kInternal,
               "snapshot " + path + " fails its check at offset " + std::to_string(offset) + ": " + why};
}

}  // namespace

SnapshotWriter::SnapshotWriter(Storage& storage, std::string dir, std::string final_path, size_t chunk_bytes,
                               std::unique_ptr<WritableFile> file)
    : storage_(storage),
      dir_(std::move(dir)),
      final_path_(std::move(final_path)),
      chunk_bytes_(chunk_bytes),
      file_(std::move(file)) {}

SnapshotWriter::~SnapshotWriter() {
  if (committed_) return;
  if (file_) file_->Close();
  storage_.Remove(final_path_ + std::string(kTempSuffix));  // best effort: recovery removes leftovers too
}

Result<std::unique_ptr<SnapshotWriter>> SnapshotWriter::Create(Storage& storage, const std::string& dir,
                                                               const SnapshotHeader& header, size_t chunk_bytes) {
  const std::string final_path = JoinPath(dir, SnapshotFileName(header.first_segment, header.at));
  auto file = storage.NewWritableFile(final_path + std::string(kTempSuffix));
  if (!file.ok()) return file.error();
  std::unique_ptr<SnapshotWriter> writer(
      new SnapshotWriter(storage, dir, final_path, chunk_bytes, std::move(file).value()));
  Status written = writer->Write(RecordType::kSnapshotHeader, EncodePayload(header));
  if (!written.ok()) return written.error();
  return writer;
}

Status SnapshotWriter::Write(RecordType type, const std::string& payload) {
  if (!failed_.ok()) return failed_;
  const std::string record = FrameRecord(type, payload);
  Status appended = file_->Append(record);
  if (!appended.ok()) {
    failed_ = appended;
    return appended;
  }
  content_crc_ = crc32c::Extend(content_crc_, record.data(), record.size());
  bytes_written_ += record.size();
  return Status::Ok();
}

Status SnapshotWriter::AddPair(std::string_view key, std::string_view value) {
  pairs_.pairs.emplace_back(key, value);
  pairs_bytes_ += PairBytes(key, value);
  ++pair_count_;
  return pairs_bytes_ >= chunk_bytes_ ? FlushPairs() : failed_;
}

Status SnapshotWriter::AddClient(const ClientRecord& row) {
  clients_.clients.push_back(row);
  clients_bytes_ += 64 + row.reply.pairs.size() * 48;
  ++client_count_;
  return clients_bytes_ >= chunk_bytes_ ? FlushClients() : failed_;
}

Status SnapshotWriter::FlushPairs() {
  if (pairs_.pairs.empty()) return failed_;
  pairs_.index = next_chunk_++;
  Status written = Write(RecordType::kSnapshotPairs, EncodePayload(pairs_));
  pairs_.pairs.clear();
  pairs_bytes_ = 0;
  return written;
}

Status SnapshotWriter::FlushClients() {
  if (clients_.clients.empty()) return failed_;
  clients_.index = next_chunk_++;
  Status written = Write(RecordType::kSnapshotClients, EncodePayload(clients_));
  clients_.clients.clear();
  clients_bytes_ = 0;
  return written;
}

Status SnapshotWriter::Commit() {
  if (committed_) return Error{ErrorKind::kInternal, "snapshot " + final_path_ + " is already committed"};
  for (Status step : {FlushPairs(), FlushClients()}) {
    if (!step.ok()) return step;
  }
  const SnapshotEnd end{pair_count_, client_count_, next_chunk_, content_crc_};
  const std::string temp_path = final_path_ + std::string(kTempSuffix);
  Status done = Write(RecordType::kSnapshotEnd, EncodePayload(end));
  if (done.ok()) done = file_->Sync();
  if (done.ok()) done = file_->Close();
  if (done.ok()) done = storage_.Rename(temp_path, final_path_);
  if (done.ok()) done = storage_.SyncDir(dir_);
  if (!done.ok()) {
    failed_ = done;
    return done;
  }
  committed_ = true;
  return Status::Ok();
}

Result<Snapshot> ReadSnapshot(Storage& storage, const std::string& path) {
  Result<std::string> bytes = storage.ReadFile(path);
  if (!bytes.ok()) return bytes.error();
  const std::string_view file = bytes.value();
  const ScanResult scan = ScanRecords(file);
  if (scan.stop != ScanResult::Stop::kEnd) {
    std::string why = scan.damage;
    if (scan.stop == ScanResult::Stop::kCorrupt) {
      why += " (a whole record follows at offset " + std::to_string(scan.next_valid_offset) + ")";
    } else if (scan.damage_is_zeros) {
      why = "zero bytes where records should be (the file is cut short)";
    }
    return Unreadable(path, scan.valid_bytes, why);
  }
  if (scan.records.empty()) return Unreadable(path, 0, "the file is empty");

  Snapshot snapshot;
  snapshot.path = path;
  snapshot.file_bytes = file.size();
  const RecordView& last = scan.records.back();
  Result<SnapshotRecord> end_record = DecodeSnapshotRecord(last.type, last.payload);
  if (!end_record.ok()) return Unreadable(path, last.offset, end_record.error().message);
  const auto* end = std::get_if<SnapshotEnd>(&end_record.value());
  if (end == nullptr) return Unreadable(path, last.offset, "the last record is not a snapshot end (the file is cut short)");
  const uint32_t content_crc = crc32c::Extend(0, file.data(), last.offset);
  if (content_crc != end->content_crc) {
    return Unreadable(path, last.offset, "the content checksum does not match the one in the snapshot end record");
  }
  snapshot.pairs.reserve(end->pair_count);

  uint32_t next_chunk = 0;
  for (size_t i = 0; i + 1 < scan.records.size(); ++i) {
    const RecordView& view = scan.records[i];
    Result<SnapshotRecord> record = DecodeSnapshotRecord(view.type, view.payload);
    if (!record.ok()) return Unreadable(path, view.offset, record.error().message);
    if (i == 0) {
      const auto* header = std::get_if<SnapshotHeader>(&record.value());
      if (header == nullptr) return Unreadable(path, view.offset, "the first record is not a snapshot header");
      snapshot.header = *header;
      continue;
    }
    const uint32_t index = std::visit(
        [](const auto& chunk) -> uint32_t {
          using T = std::decay_t<decltype(chunk)>;
          if constexpr (std::is_same_v<T, SnapshotPairs> || std::is_same_v<T, SnapshotClients>) {
            return chunk.index;
          } else {
            return UINT32_MAX;
          }
        },
        record.value());
    if (index == UINT32_MAX) {
      return Unreadable(path, view.offset, "a second " + RecordTypeName(view.type) + " record inside the snapshot");
    }
    if (index != next_chunk) {
      return Unreadable(path, view.offset, "chunk " + std::to_string(index) + " where chunk " +
                                               std::to_string(next_chunk) + " was expected");
    }
    ++next_chunk;
    if (auto* pairs = std::get_if<SnapshotPairs>(&record.value())) {
      for (auto& pair : pairs->pairs) snapshot.pairs.push_back(std::move(pair));
    } else {
      auto& rows = std::get<SnapshotClients>(record.value()).clients;
      for (auto& row : rows) snapshot.clients.push_back(std::move(row));
    }
  }
  if (scan.records.size() < 2) return Unreadable(path, 0, "no snapshot header before the end record");
  if (next_chunk != end->chunk_count || snapshot.pairs.size() != end->pair_count ||
      snapshot.clients.size() != end->client_count) {
    return Unreadable(path, last.offset,
                      "the end record counts " + std::to_string(end->chunk_count) + " chunks, " +
                          std::to_string(end->pair_count) + " pairs and " + std::to_string(end->client_count) +
                          " client rows; the file holds " + std::to_string(next_chunk) + ", " +
                          std::to_string(snapshot.pairs.size()) + " and " + std::to_string(snapshot.clients.size()));
  }
  return snapshot;
}

}  // namespace ts::wal
