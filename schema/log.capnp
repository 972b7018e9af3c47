@0xbafd9a43276d4ff2;
# tuplestar's durable log on disk: the payloads of the records in a node's log
# segments and snapshot files (nodes/log/; docs/ARCHITECTURE.md "The durable
# log"). The plain C++ values are schema/log_records.h; the codec is
# schema/log_codec.h.
#
# Framing is not here: each payload is one flat (unpacked) Cap'n Proto message
# inside a record frame (nodes/log/record_format.h: magic, type, length, two
# CRC32Cs), and the frame's type byte says which struct below is the root.
# The log entries, pairs and exactly-once rows reuse the cluster wire's structs
# (cluster.capnp), so what a primary replicates and what a node logs are one
# definition.
#
# Evolution: fields at the end only; bump logFormatVersion (checked in every
# segment and snapshot header) for a change an old reader would misread.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("ts::wire::log");

using Cluster = import "cluster.capnp";

const logFormatVersion :UInt16 = 1;

# ---------------------------------------------------------------- log segments

# The first record of every segment: which segment this is and the log
# position it starts after (the last entry of the segment before it, or of the
# snapshot it follows).
struct SegmentHeader {
  formatVersion @0 :UInt16;
  number @1 :UInt64;
  base @2 :Cluster.LogPosition;
}

# Entries of one term with consecutive seqs firstSeq..lastSeq. Each entry
# carries its write effect and its exactly-once row (client id, request
# number, reply; the row's seq is the entry's).
struct EntryBatch {
  term @0 :UInt64;
  firstSeq @1 :UInt64;
  lastSeq @2 :UInt64;
  entries @3 :List(Cluster.LogEntry);
}

# The node's current term rose (its vote, if any, was for an older term).
struct TermChange {
  term @0 :UInt64;
}

# The node voted for a candidate in a term (at most one candidate per term).
struct Vote {
  term @0 :UInt64;
  votedFor @1 :UInt32;
}

# ---------------------------------------------------------------- snapshot files

# The first record of a snapshot: where it stands. firstSegment is the number
# of the log segment that continues after it.
struct SnapshotHeader {
  formatVersion @0 :UInt16;
  firstSegment @1 :UInt64;
  at @2 :Cluster.LogPosition;
  term @3 :UInt64;
  votedFor @4 :UInt32;
}

# A chunk of the space's pairs (chunks are numbered from 0, in file order).
struct SnapshotPairs {
  index @0 :UInt32;
  pairs @1 :List(Cluster.TextPair);
}

# A chunk of the exactly-once table's rows.
struct SnapshotClients {
  index @0 :UInt32;
  clients @1 :List(Cluster.ClientRecord);
}

# The last record: what came before it, so a snapshot cut short or spliced
# together is caught. contentCrc is the CRC32C of every byte of the file
# before this record.
struct SnapshotEnd {
  pairCount @0 :UInt64;
  clientCount @1 :UInt64;
  chunkCount @2 :UInt32;
  contentCrc @3 :UInt32;
}
