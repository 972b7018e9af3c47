#include "nodes/cluster/snapshot_sender.h"

#include <algorithm>
#include <utility>

namespace ts::cluster {

SnapshotSender::SnapshotSender(size_t chunk_pairs, size_t chunks_per_turn)
    : chunk_pairs_(std::max<size_t>(1, chunk_pairs)), chunks_per_turn_(std::max<size_t>(1, chunks_per_turn)) {}

void SnapshotSender::Start(NodeId to, FrozenPairs pairs, SnapshotEnd end) {
  Transfer transfer;
  transfer.pairs = std::make_unique<const FrozenPairs>(std::move(pairs));
  transfer.next = transfer.pairs->begin();
  transfer.end = std::move(end);
  transfers_.insert_or_assign(to, std::move(transfer));
}

void SnapshotSender::Continue(std::vector<PeerSend>& out) {
  size_t budget = chunks_per_turn_;
  for (auto it = transfers_.begin(); it != transfers_.end() && budget > 0;) {
    Transfer& transfer = it->second;
    const SnapshotEnd& end = transfer.end;
    while (budget > 0 && transfer.next != transfer.pairs->end()) {
      SnapshotChunk chunk{end.from, end.transfer_id, end.term, transfer.next_index++, {}};
      chunk.pairs.reserve(std::min(chunk_pairs_, transfer.pairs->size() - transfer.sent));
      for (; chunk.pairs.size() < chunk_pairs_ && transfer.next != transfer.pairs->end(); ++transfer.next) {
        chunk.pairs.emplace_back(transfer.next->key(), transfer.next->value());
      }
      transfer.sent += chunk.pairs.size();
      out.push_back(PeerSend{it->first, std::move(chunk)});
      --budget;
    }
    if (transfer.next != transfer.pairs->end()) break;  // the budget ran out
    SnapshotEnd done = std::move(transfer.end);
    done.chunk_count = transfer.next_index;
    out.push_back(PeerSend{it->first, std::move(done)});
    it = transfers_.erase(it);
  }
}

size_t SnapshotSender::pairs_left() const {
  size_t left = 0;
  for (const auto& [to, transfer] : transfers_) left += transfer.pairs->size() - transfer.sent;
  return left;
}

}  // namespace ts::cluster
