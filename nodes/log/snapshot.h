// Snapshot files: a node's whole state at one log position (the space's
// pairs, the exactly-once table, the term and vote) so that the log before it
// can go.
//
// SnapshotWriter writes one to "<name>.tmp" in the log directory as framed
// records (record_format.h): a SnapshotHeader, chunks of pairs and of client
// rows as they are added, and a SnapshotEnd holding the counts and the CRC32C
// of every byte before it. Commit then fdatasyncs the file, renames it to its
// final name (log_names.h) and fsyncs the directory: a crash at any point
// leaves either no snapshot of that name or a whole one. A writer destroyed
// before Commit removes its temp file.
//
// ReadSnapshot accepts only a whole file: every record valid, the header
// first, chunks numbered from 0 in order, the end record last with matching
// counts and content checksum. Anything else is an Error naming the file, the
// offset and what is wrong; a snapshot is never read in part.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "nodes/log/storage.h"
#include "schema/log_records.h"

namespace ts::wal {

// Pairs (and client rows) are written out in chunks of about this many bytes.
inline constexpr size_t kSnapshotChunkBytes = size_t{1} << 20;

struct Snapshot {
  std::string path;
  SnapshotHeader header;
  std::vector<std::pair<std::string, std::string>> pairs;  // key text, value text, in file order
  std::vector<ClientRecord> clients;
  uint64_t file_bytes = 0;
};

class SnapshotWriter {
 public:
  // Starts dir/SnapshotFileName(header.first_segment, header.at) + ".tmp".
  static Result<std::unique_ptr<SnapshotWriter>> Create(Storage& storage, const std::string& dir,
                                                        const SnapshotHeader& header,
                                                        size_t chunk_bytes = kSnapshotChunkBytes);
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  Status AddPair(std::string_view key, std::string_view value);
  Status AddClient(const ClientRecord& row);
  // Finishes the file and puts it in place; its final path is path().
  Status Commit();

  const std::string& path() const { return final_path_; }
  uint64_t pair_count() const { return pair_count_; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  SnapshotWriter(Storage& storage, std::string dir, std::string final_path, size_t chunk_bytes,
                 std::unique_ptr<WritableFile> file);
  Status Write(RecordType type, const std::string& payload);
  Status FlushPairs();
  Status FlushClients();

  Storage& storage_;
  std::string dir_;
  std::string final_path_;
  size_t chunk_bytes_;
  std::unique_ptr<WritableFile> file_;
  bool committed_ = false;
  Status failed_;

  SnapshotPairs pairs_;
  size_t pairs_bytes_ = 0;
  SnapshotClients clients_;
  size_t clients_bytes_ = 0;
  uint32_t next_chunk_ = 0;
  uint64_t pair_count_ = 0;
  uint64_t client_count_ = 0;
  uint32_t content_crc_ = 0;
  uint64_t bytes_written_ = 0;
};

Result<Snapshot> ReadSnapshot(Storage& storage, const std::string& path);

}  // namespace ts::wal
