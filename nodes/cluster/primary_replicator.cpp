#include "nodes/cluster/primary_replicator.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "nodes/cluster/write_undo.h"
#include "schema/codec.h"

namespace ts::cluster {
namespace {

bool Waits(const Request& request) {
  const Op op = request.op();
  return op == Op::kWatch || (request.wait_ms > 0 && (op == Op::kGet || op == Op::kTake));
}

Reply ErrorAnswer(const Request& request, Error error) {
  Reply reply;
  reply.id = request.id;
  reply.op_name = request.op_name;
  reply.error = std::move(error);
  return reply;
}

// The values of the keys a write erased, from its reply (DELETE and TAKE
// answer the pairs they removed, in the effect's order).
std::vector<std::string> ErasedValues(const WriteEffect& effect, const Reply& reply) {
  std::vector<std::string> values;
  if (effect.erased_keys.empty()) return values;
  values.reserve(reply.pairs.size());
  for (const Pair& pair : reply.pairs) values.push_back(TupleText(pair.value));
  return values;
}

std::string Backups(size_t count) { return std::to_string(count) + (count == 1 ? " backup" : " backups"); }

}  // namespace

PrimaryReplicator::PrimaryReplicator(NodeId self, const NodeConfig& config)
    : self_(self),
      min_acks_(config.min_acks),
      async_replies_(config.async_replies),
      takeover_grace_(config.liveness_window),
      waiting_(config.max_waiting_requests, config.max_wait),
      max_watch_changes_(config.max_changes_per_watch_reply) {}

void PrimaryReplicator::Begin(uint64_t term, ReplicaState& state, TimePoint now) {
  active_ = true;
  term_ = term;
  began_at_ = now;
  pending_.clear();
  unconfirmed_.clear();
  batch_.clear();
  waiting_.Clear();
  took_over_at_ = state.last();
  LogEntry opening;
  opening.position = LogPosition{term, state.last().seq + 1};
  state.Record(opening);
  term_start_seq_ = opening.position.seq;
  content_seq_ = term_start_seq_;
  batch_.push_back(std::move(opening));
}

void PrimaryReplicator::End() {
  active_ = false;
  waiting_.Clear();  // the broker sends them to the next primary
  pending_.clear();
  unconfirmed_.clear();
  batch_.clear();
}

void PrimaryReplicator::NoteBrokerCommitted(LogPosition committed) {
  broker_committed_ = std::max(broker_committed_, committed);
}

bool PrimaryReplicator::TooFewInReach(const AckTracker& acks, TimePoint now) const {
  return now - began_at_ > takeover_grace_ && acks.InReach(now) < min_acks_;
}

bool PrimaryReplicator::CannotCommit(const AckTracker& acks, TimePoint now) const {
  return active_ && !async_replies_ && TooFewInReach(acks, now);
}

void PrimaryReplicator::Handle(const ClientTag& client, const Request& request, ReplicaState& state,
                               const AckTracker& acks, TimePoint now) {
  if (Waits(request)) {
    if (auto why_not = waiting_.WhyNot(request)) {
      Queue(Pending{client, 0, false, 0, std::nullopt, ErrorAnswer(request, std::move(*why_not))});
      return;
    }
    if (Status patterns = state.space.CheckPatterns(request); !patterns.ok()) {
      Queue(Pending{client, 0, false, 0, std::nullopt, ErrorAnswer(request, patterns.error())});
      return;
    }
    if (request.op() == Op::kWatch || !Serve(client, request, true, state, acks, now)) {
      waiting_.Add(WaitingRequest{client, request, now + Millis(request.wait_ms), request.after_seq});
    }
    return;
  }
  Serve(client, request, false, state, acks, now);
}

bool PrimaryReplicator::Serve(const ClientTag& client, const Request& request, bool may_wait, ReplicaState& state,
                              const AckTracker& acks, TimePoint now) {
  const Op op = request.op();
  const uint64_t client_id = request.id.client_id;
  if (!IsWriteOp(op)) {
    Reply reply = state.space.Execute(request);
    if (op == Op::kGet) {
      if (may_wait && reply.ok() && reply.pairs.empty()) return false;
      Queue(Pending{client, content_seq_, content_seq_ == term_start_seq_, 0, request, std::move(reply)});
    } else {
      Queue(Pending{client, 0, false, 0, std::nullopt, std::move(reply)});  // "not implemented"
    }
    return true;
  }
  if (client_id != 0) {
    if (const ClientRecord* record = state.clients.Find(client_id, request.id.request_number)) {
      // A retry (or a request the broker sent again after a failover): the recorded answer.
      Pending retry{client, std::max(record->seq, term_start_seq_), record->seq <= took_over_at_.seq,
                    record->seq, std::nullopt, record->reply};
      // "Not enough replicas" claims nothing that a failover could take back.
      if (record->reply.error && record->reply.error->kind == ErrorKind::kNotEnoughReplicas) retry.needs_seq = 0;
      Queue(std::move(retry));
      return true;
    }
    if (const uint64_t newest = state.clients.NewestRequest(client_id); newest > request.id.request_number) {
      Reply stale;
      stale.id = request.id;
      stale.op_name = request.op_name;
      stale.error = Error{ErrorKind::kInternal,
                          "request " + std::to_string(request.id.request_number) + " of client " +
                              std::to_string(client_id) + " is older than the last " +
                              std::to_string(state.clients.per_client()) +
                              " writes kept for it (newest " + std::to_string(newest) +
                              "); it was applied once and its reply is no longer kept"};
      Queue(Pending{client, 0, false, 0, std::nullopt, std::move(stale)});
      return true;
    }
  }
  if (TooFewInReach(acks, now)) {
    Queue(Pending{client, 0, false, 0, std::nullopt,
                  NotEnoughReplicas(request.id, request.op_name,
                                    std::string(kNothingChanged) + ": " + Backups(acks.InReach(now)) +
                                        " in reach, " + std::to_string(min_acks_) +
                                        " needed to acknowledge a write; send it again when more are back")});
    return true;
  }
  const WriteUndo undo = async_replies_ ? WriteUndo{} : WriteUndo::Capture(state.space, request);
  WriteEffect effect;
  Reply reply = state.space.Execute(request, &effect);
  if (may_wait && reply.ok() && effect.empty()) return false;  // a TAKE that found nothing yet
  if (client_id == 0 && effect.empty()) {  // nothing to replicate or record; it shows the space
    Queue(Pending{client, content_seq_, content_seq_ == term_start_seq_, 0, std::nullopt, std::move(reply)});
    return true;
  }
  std::vector<std::string> erased_values = ErasedValues(effect, reply);
  LogEntry entry;
  entry.position = LogPosition{term_, state.last().seq + 1};
  entry.request_id = request.id;
  if (!async_replies_) {
    unconfirmed_.push_back(
        Unconfirmed{entry.position.seq, request.id, request.op_name, undo.Restore(effect, reply)});
  }
  entry.effect = std::move(effect);
  if (client_id != 0) entry.reply = reply;
  state.Record(entry, erased_values);
  content_seq_ = entry.position.seq;
  Queue(Pending{client, entry.position.seq, false, entry.position.seq, std::nullopt, std::move(reply)});
  batch_.push_back(std::move(entry));
  return true;
}

void PrimaryReplicator::ServeWaiting(ReplicaState& state, const AckTracker& acks, uint64_t committed_seq,
                                     TimePoint now) {
  if (!active_ || waiting_.empty()) return;
  const uint64_t reported = ReportedCommit(committed_seq).seq;
  std::deque<WaitingRequest> all = waiting_.TakeAll();
  for (WaitingRequest& w : all) {
    const bool due = now >= w.deadline;
    if (w.request.op() == Op::kWatch) {
      if (std::optional<Reply> answer = WatchAnswer(w, state, reported, now)) {
        Queue(Pending{w.client, 0, false, 0, std::nullopt, std::move(*answer)});
      } else {
        waiting_.Keep(std::move(w));
      }
      continue;
    }
    // Tried again only once a write changed the space since (or at the deadline).
    const bool changed = content_seq_ != waiting_tried_at_seq_;
    if (!(changed || due) || !Serve(w.client, w.request, !due, state, acks, now)) waiting_.Keep(std::move(w));
  }
  waiting_tried_at_seq_ = content_seq_;
}

std::optional<Reply> PrimaryReplicator::WatchAnswer(WaitingRequest& watch, ReplicaState& state,
                                                    uint64_t committed_seq, TimePoint now) const {
  const bool due = now >= watch.deadline;
  Reply reply;
  reply.id = watch.request.id;
  reply.op_name = watch.request.op_name;
  // "From now": the committed position when this primary first can say it.
  if (watch.cursor == 0) watch.cursor = committed_seq;
  reply.position = watch.cursor;
  if (watch.cursor == 0) {  // this term has committed nothing yet
    if (!due) return std::nullopt;
    return reply;
  }
  const ChangeHistory& history = state.changes;
  if (!history.Covers(watch.cursor)) {
    reply.error = Error{ErrorKind::kHistoryGone,
                        "watch position " + std::to_string(watch.cursor) +
                            " is older than the change history this node keeps (it starts after " +
                            std::to_string(history.base()) +
                            "); changes in between are lost to this watch: get the pairs again, then watch from now"};
    return reply;
  }
  if (committed_seq <= watch.cursor && !due) return std::nullopt;
  std::vector<const PairChange*> found;
  std::optional<Error> error;
  const uint64_t through = history.Collect(
      watch.cursor, std::max(committed_seq, watch.cursor), max_watch_changes_,
      [&](const PairChange& change) {
        if (error) return false;
        Result<bool> match = state.space.PairMatches(watch.request, change.key_text, change.value_text);
        if (!match.ok()) error = match.error();
        return match.ok() && match.value();
      },
      found);
  if (error) {
    reply.error = std::move(error);
    return reply;
  }
  // Nothing matched: the cursor moves on (so the next look starts there).
  watch.cursor = through;
  reply.position = through;
  if (found.empty() && !due) return std::nullopt;
  for (const PairChange* change : found) {
    reply.changes.push_back(Change{change->seq, change->op,
                                   Pair{SplitTupleText(change->key_text), SplitTupleText(change->value_text)},
                                   change->erased});
  }
  return reply;
}

void PrimaryReplicator::HandleUndecodable(const ClientTag& client, const Error& error) {
  Reply reply;
  reply.error = error;
  Queue(Pending{client, 0, false, 0, std::nullopt, std::move(reply)});
}

std::optional<WriteBatch> PrimaryReplicator::TakeBatch(uint64_t committed_seq) {
  if (batch_.empty()) return std::nullopt;
  WriteBatch batch{self_, term_, committed_seq, std::move(batch_)};
  batch_.clear();
  return batch;
}

bool PrimaryReplicator::Releasable(const Pending& pending, uint64_t committed_seq) const {
  if (async_replies_ || pending.needs_seq <= committed_seq) return true;
  // Position 0:0 names no entry (a --load file, or nothing): never certified.
  return pending.shows_takeover_log && took_over_at_.seq > 0 && broker_committed_ >= took_over_at_;
}

std::vector<ClientReplyFrame> PrimaryReplicator::Release(uint64_t committed_seq) {
  std::vector<ClientReplyFrame> out;
  ForgetCommitted(committed_seq);
  const LogPosition reported = ReportedCommit(committed_seq);
  while (!pending_.empty() && Releasable(pending_.front(), committed_seq)) {
    Send(pending_.front(), reported, out);
    pending_.pop_front();
  }
  return out;
}

PrimaryReplicator::Failed PrimaryReplicator::FailUnconfirmed(ReplicaState& state, const AckTracker& acks,
                                                             TimePoint now) {
  Failed failed;
  const uint64_t committed = acks.committed();
  ForgetCommitted(committed);
  // Only this term's writes can be taken back (their entries follow the no-op).
  const uint64_t keep_through = std::max(committed, term_start_seq_);
  std::map<uint64_t, Reply> undone;  // entry seq -> the answer recorded for it
  while (!unconfirmed_.empty() && unconfirmed_.back().seq > keep_through) {
    Unconfirmed& write = unconfirmed_.back();
    Reply answer = NotEnoughReplicas(
        write.id, write.op_name,
        "applied on the primary, but its backups went out of reach before all of them confirmed it (" +
            std::to_string(acks.AckedBy(write.seq)) + " did, at least " + std::to_string(min_acks_) +
            " must), so the primary undid it; a backup that applied it may still bring it back after a "
            "failover: read before writing again");
    LogEntry undo;
    undo.position = LogPosition{term_, state.last().seq + 1};
    undo.request_id = write.id;
    undo.effect = std::move(write.restore);
    if (write.id.client_id != 0) undo.reply = answer;  // replaces that request's row
    state.Apply(undo);
    batch_.push_back(std::move(undo));
    undone.emplace(write.seq, std::move(answer));
    unconfirmed_.pop_back();
  }
  failed.writes_undone = undone.size();
  if (!undone.empty()) content_seq_ = keep_through;

  const LogPosition reported = ReportedCommit(committed);
  const std::string too_few = Backups(acks.InReach(now)) + " in reach (" + std::to_string(min_acks_) + " needed)";
  for (Pending& pending : pending_) {
    if (!Releasable(pending, committed)) {
      auto was_undone = undone.find(pending.entry_seq);
      const bool not_enough = pending.reply.error && pending.reply.error->kind == ErrorKind::kNotEnoughReplicas;
      if (pending.entry_seq != 0 && was_undone != undone.end()) {
        pending.reply = was_undone->second;
      } else if (not_enough) {
        // as it stands: it claims nothing that could be taken back
      } else if (pending.read) {
        pending.reply = state.space.Execute(*pending.read);
        pending.needs_seq = content_seq_;
        pending.shows_takeover_log = content_seq_ == term_start_seq_;
        if (!Releasable(pending, committed)) {
          pending.reply = NotEnoughReplicas(pending.read->id, pending.read->op_name,
                                            "cannot confirm this read: this primary took over with " + too_few +
                                                " and cannot show yet that the writes it holds survive a "
                                                "failover; retry when a backup is back");
        }
      } else if (pending.entry_seq != 0) {  // a retry answered from an earlier term's record
        pending.reply = NotEnoughReplicas(pending.reply.id, pending.reply.op_name,
                                          "this write was applied by an earlier primary, but with " + too_few +
                                              " this node cannot confirm that it survives a failover; send it "
                                              "again later for its final answer");
      } else {
        pending.reply = NotEnoughReplicas(pending.reply.id, pending.reply.op_name,
                                          "cannot confirm this answer: with " + too_few +
                                              " this primary cannot show that the writes it reflects survive a "
                                              "failover; retry when a backup is back");
      }
    }
    Send(pending, reported, failed.replies);
  }
  pending_.clear();
  return failed;
}

void PrimaryReplicator::ForgetCommitted(uint64_t committed_seq) {
  while (!unconfirmed_.empty() && unconfirmed_.front().seq <= committed_seq) unconfirmed_.pop_front();
}

LogPosition PrimaryReplicator::ReportedCommit(uint64_t committed_seq) const {
  if (!active_ || committed_seq < term_start_seq_) return LogPosition{};
  return LogPosition{term_, committed_seq};
}

void PrimaryReplicator::Queue(Pending pending) { pending_.push_back(std::move(pending)); }

void PrimaryReplicator::Send(Pending& pending, LogPosition reported, std::vector<ClientReplyFrame>& out) const {
  // Whoever answers names itself, also with a reply recorded by an earlier primary.
  pending.reply.served_by = self_;
  pending.reply.term = term_;
  out.push_back(ClientReplyFrame{self_, std::move(pending.client), reported, EncodeReply(pending.reply)});
}

Reply PrimaryReplicator::NotEnoughReplicas(const RequestId& id, const std::string& op_name,
                                           std::string message) const {
  Reply reply;
  reply.id = id;
  reply.op_name = op_name;
  reply.error = Error{ErrorKind::kNotEnoughReplicas, std::move(message)};
  reply.served_by = self_;
  reply.term = term_;
  return reply;
}

}  // namespace ts::cluster
