// The durable log of a node (nodes/log/): its entries, term changes and votes
// in checksummed records on disk, snapshots of its state, and recovery at
// start. docs/ARCHITECTURE.md "The durable log" tells the whole story; each
// piece's header states its own contract:
//   storage.h          the file operations (posix_storage.h, memory_storage.h)
//   record_format.h    the record frame and the scanner that classifies damage
//   log_names.h        segment and snapshot file names
//   log_state.h        last position, term and vote, and the rules records keep
//   log_writer.h       appends, Sync (group commit), segment roll, snapshots
//   snapshot.h         snapshot files
//   recovery.h         a directory's contents -> the state, or what is wrong
//
// OpenLog is the way in for a node: it creates the directory if need be,
// recovers it, applies the repair recovery asked for (a damaged tail cut,
// obsolete files removed) and returns the recovered state with a writer that
// continues the log. An error (damage before the tail, a missing segment, a
// snapshot failing its check, a storage failure) means the node must not
// start; the message names the file, the offset and what to do.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "nodes/log/log_writer.h"
#include "nodes/log/recovery.h"
#include "nodes/log/storage.h"

namespace ts::wal {

struct OpenedLog {
  RecoveredLog recovered;
  std::unique_ptr<LogWriter> writer;
};

Result<OpenedLog> OpenLog(Storage& storage, const std::string& dir, LogOptions options = {});

}  // namespace ts::wal
