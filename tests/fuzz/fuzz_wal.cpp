// libFuzzer harness: the write-ahead log's readers (nodes/log/), which a node
// runs on its own data directory at start. Input: one selector byte, then a
// file's bytes. Selector bit 0: the bytes are a segment (log-00000001-0.0) or
// a snapshot (snapshot-00000001-0.0) in a MemoryStorage directory; bit 1:
// the other kind of file is there too, empty.
// Properties: nothing throws or crashes; ScanRecords' records are contiguous
// from offset 0, each re-frames to exactly its bytes, and the stop agrees
// with the sizes (kEnd: every byte read; otherwise damage is named, and
// kCorrupt names a later offset); ReadSnapshot and Recover return a value or
// an Error with a message, and a recovered log's tail repair lies inside the
// segment.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nodes/log/log_names.h"
#include "nodes/log/memory_storage.h"
#include "nodes/log/record_format.h"
#include "nodes/log/recovery.h"
#include "nodes/log/snapshot.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace ts;
using namespace ts::wal;

constexpr const char* kDir = "/log";

void CheckScan(std::string_view bytes) {
  const ScanResult scan = ScanRecords(bytes);
  FUZZ_CHECK(scan.file_bytes == bytes.size(), "file_bytes");
  FUZZ_CHECK(scan.valid_bytes <= scan.file_bytes, std::to_string(scan.valid_bytes));
  uint64_t at = 0;
  for (const RecordView& record : scan.records) {
    FUZZ_CHECK(record.offset == at, "records not contiguous at " + std::to_string(at));
    // Header and payload re-frame to the file's bytes; the padding after them
    // is not checksummed and the scanner does not read it (a flipped bit there
    // loses nothing), so it is left out of the comparison.
    const std::string framed = FrameRecord(static_cast<RecordType>(record.type), record.payload);
    const size_t checked = kRecordHeaderBytes + record.payload.size();
    FUZZ_CHECK(bytes.substr(record.offset, checked) == std::string_view(framed).substr(0, checked),
               "record at " + std::to_string(at) + " does not re-frame to its bytes");
    at = record.end();
  }
  FUZZ_CHECK(at == scan.valid_bytes, "valid_bytes is not the last record's end");
  switch (scan.stop) {
    case ScanResult::Stop::kEnd:
      FUZZ_CHECK(scan.valid_bytes == scan.file_bytes, "kEnd before the end");
      break;
    case ScanResult::Stop::kDamagedTail:
      FUZZ_CHECK(scan.valid_bytes < scan.file_bytes && !scan.damage.empty(), "a damaged tail without damage");
      break;
    case ScanResult::Stop::kCorrupt:
      FUZZ_CHECK(!scan.damage.empty() && scan.next_valid_offset > scan.valid_bytes &&
                     scan.next_valid_offset < scan.file_bytes,
                 "kCorrupt at " + std::to_string(scan.next_valid_offset));
      break;
  }
}

void Put(MemoryStorage& storage, const std::string& path, std::string_view bytes) {
  auto file = storage.NewWritableFile(path);
  FUZZ_CHECK(file.ok(), file.ok() ? "" : file.error().message);
  FUZZ_CHECK(file.value()->Append(bytes).ok(), "append");
  FUZZ_CHECK(file.value()->Sync().ok(), "sync");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::string_view bytes = ts::fuzz::AsView(data + 1, size - 1);
  CheckScan(bytes);

  const bool is_snapshot = (selector & 1) != 0;
  const bool with_other = (selector & 2) != 0;
  MemoryStorage storage;
  FUZZ_CHECK(storage.CreateDir(kDir).ok(), "mkdir");
  const std::string segment = std::string(kDir) + "/" + SegmentFileName(1, LogPosition{});
  const std::string snapshot = std::string(kDir) + "/" + SnapshotFileName(1, LogPosition{});
  Put(storage, is_snapshot ? snapshot : segment, bytes);
  if (with_other) Put(storage, is_snapshot ? segment : snapshot, "");

  if (is_snapshot) {
    Result<Snapshot> read = ReadSnapshot(storage, snapshot);
    FUZZ_CHECK(read.ok() || !read.error().message.empty(), "a snapshot error without a message");
    if (read.ok()) FUZZ_CHECK(read.value().file_bytes == bytes.size(), "snapshot size");
  }
  Result<RecoveredLog> recovered = Recover(storage, kDir);
  FUZZ_CHECK(recovered.ok() || !recovered.error().message.empty(), "a recovery error without a message");
  if (recovered.ok() && recovered.value().repair) {
    const TailRepair& repair = *recovered.value().repair;
    FUZZ_CHECK(repair.offset <= bytes.size() && repair.offset + repair.bytes_dropped <= bytes.size(),
               "a tail repair outside the file");
    (void)recovered.value().Describe();
  }
  return 0;
}
