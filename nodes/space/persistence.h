// Saving a space to a file and loading it back (SPEC section 2, Persistence).
//
// The file is text: a header line, then one pair per line as
// "key text<TAB>value text". The header is
//   "tuplestar-snapshot v2 pairs=N term=T seq=S"
// where N lets a truncated file be caught and (T, S) is the log position of
// the node's space when it was saved (the (term, seq) of the last write
// applied; see schema/cluster_messages.h), so that a node loaded from the file
// ranks by that position in elections. Files of the first version,
// "tuplestar-snapshot v1 pairs=N", still load, at position 0:0.
// SaveSpace writes a temp file beside the target, fsyncs it, renames it over the
// target and fsyncs the directory: a crash mid-write leaves the old file whole.
// LoadSpace validates every line and says which line of which file is wrong.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "common/status.h"
#include "nodes/space/space.h"

namespace ts {

// The log position a saved space is at: 0:0 for "no write applied" (and for
// v1 files). A position names one state of the cluster's history: every node
// at (T, S) holds the same pairs.
struct SnapshotPosition {
  uint64_t term = 0;
  uint64_t seq = 0;
  friend bool operator==(const SnapshotPosition&, const SnapshotPosition&) = default;
};

// A save file's header, read without loading its pairs (the launcher shows it,
// and picks the freshest of several files by `at`).
struct SnapshotHeader {
  size_t pairs = 0;
  SnapshotPosition at;
};

// The header of the file at `path`; the error says what is wrong with it.
Result<SnapshotHeader> ReadSnapshotHeader(const std::string& path);

Status SaveSpace(const TupleSpace& space, const std::string& path, SnapshotPosition at = {});

// Replaces the contents of *space with the file's pairs, and sets *at (when
// given) to the position in its header. On error neither is changed.
Status LoadSpace(const std::string& path, TupleSpace* space, SnapshotPosition* at = nullptr);

// The same, reading a save file's bytes from `in`; `name` stands for the file
// in error messages ("name:line: why"). LoadSpace is this on an ifstream.
Status LoadSpaceFrom(std::istream& in, const std::string& name, TupleSpace* space, SnapshotPosition* at = nullptr);

}  // namespace ts
