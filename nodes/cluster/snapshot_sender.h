// SnapshotSender: the snapshots a primary sends its lagging backups, in
// bounded slices, one slice per loop turn.
//
// A state transfer that needs a snapshot freezes the space when the request
// arrives (PairStore::Freeze: a count per leaf) and fixes its End then (the
// position, the exactly-once rows, the commit); each turn (Continue) then
// encodes at most chunks_per_turn chunks of chunk_pairs pairs in all, and a
// transfer's End follows its last chunk. So the primary's loop never builds
// a whole snapshot in one turn (10,000,000 pairs used to be one turn of
// seconds, past the lease), while the backup receives exactly the chunks and
// End it did before (docs/PROTOCOL.md). A new request from a backup replaces
// the transfer in flight to it; a primary stepping down drops them all.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <vector>

#include "nodes/cluster/node_core.h"
#include "nodes/space/pair_store.h"
#include "schema/cluster_messages.h"

namespace ts::cluster {

class SnapshotSender {
 public:
  SnapshotSender(size_t chunk_pairs, size_t chunks_per_turn);

  // Sends `pairs` to `to` in chunks under end's sender, transfer id and
  // term, then `end` (its chunk_count is filled in here).
  void Start(NodeId to, FrozenPairs pairs, SnapshotEnd end);
  // This turn's slice: chunks (and Ends) appended to `out`.
  void Continue(std::vector<PeerSend>& out);
  void Clear() { transfers_.clear(); }
  bool sending() const { return !transfers_.empty(); }
  // Pairs still to send, over every transfer (status, tests).
  size_t pairs_left() const;

 private:
  struct Transfer {
    std::unique_ptr<const FrozenPairs> pairs;  // owned here: `next` points into it
    FrozenPairs::const_iterator next;
    size_t sent = 0;
    uint32_t next_index = 0;
    SnapshotEnd end;
  };

  size_t chunk_pairs_;
  size_t chunks_per_turn_;
  std::map<NodeId, Transfer> transfers_;
};

}  // namespace ts::cluster
