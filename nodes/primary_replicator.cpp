#include "nodes/primary_replicator.h"

#include <algorithm>
#include <string>
#include <utility>

#include "schema/codec.h"

namespace ts::cluster {
namespace {

bool IsWrite(Op op) { return op == Op::kPut || op == Op::kPost || op == Op::kDelete; }

Reply ErrorReply(const RequestId& id, std::string op_name, ErrorKind kind, std::string message) {
  Reply reply;
  reply.id = id;
  reply.op_name = std::move(op_name);
  reply.error = Error{kind, std::move(message)};
  return reply;
}

}  // namespace

PrimaryReplicator::PrimaryReplicator(NodeId self, const NodeConfig& config)
    : self_(self),
      min_acks_(config.min_acks),
      async_replies_(config.async_replies),
      takeover_grace_(config.liveness_window) {}

void PrimaryReplicator::Begin(uint64_t term, ReplicaState& state, TimePoint now) {
  active_ = true;
  term_ = term;
  began_at_ = now;
  pending_.clear();
  batch_.clear();
  LogEntry opening;
  opening.position = LogPosition{term, state.last().seq + 1};
  state.Record(opening);
  term_start_seq_ = opening.position.seq;
  batch_.push_back(std::move(opening));
}

void PrimaryReplicator::End() {
  active_ = false;
  pending_.clear();
  batch_.clear();
}

void PrimaryReplicator::Handle(const ClientTag& client, const Request& request, ReplicaState& state,
                               const AckTracker& acks, TimePoint now) {
  const Op op = request.op();
  const uint64_t client_id = request.id.client_id;
  if (!IsWrite(op)) {
    Reply reply = state.space.Execute(request);
    reply.served_by = self_;
    reply.term = term_;
    // A read shows every write before it, so it waits for them to commit.
    uint64_t needs = op == Op::kGet ? std::max(state.last().seq, term_start_seq_) : 0;
    Queue(client, needs, std::move(reply));
    return;
  }
  if (client_id != 0) {
    if (const ClientRecord* record = state.clients.Find(client_id)) {
      if (record->request_number == request.id.request_number) {
        Queue(client, std::max(record->seq, term_start_seq_), record->reply);  // a retry
        return;
      }
      if (record->request_number > request.id.request_number) {
        Queue(client, 0,
              ErrorReply(request.id, request.op_name, ErrorKind::kInternal,
                         "request " + std::to_string(request.id.request_number) + " of client " +
                             std::to_string(client_id) + " is older than its last write (" +
                             std::to_string(record->request_number) +
                             "); that one was applied once and its reply is no longer kept"));
        return;
      }
    }
  }
  const bool in_grace = now - began_at_ <= takeover_grace_;
  if (!in_grace && acks.InReach(now) < min_acks_) {
    Queue(client, 0,
          ErrorReply(request.id, request.op_name, ErrorKind::kNotEnoughReplicas,
                     "only " + std::to_string(acks.InReach(now)) + " backup(s) in reach, " +
                         std::to_string(min_acks_) + " needed to acknowledge a write"));
    return;
  }
  WriteEffect effect;
  Reply reply = state.space.Execute(request, &effect);
  reply.served_by = self_;
  reply.term = term_;
  if (client_id == 0 && effect.empty()) {
    Queue(client, std::max(state.last().seq, term_start_seq_), std::move(reply));
    return;
  }
  LogEntry entry;
  entry.position = LogPosition{term_, state.last().seq + 1};
  entry.request_id = request.id;
  entry.effect = std::move(effect);
  if (client_id != 0) entry.reply = reply;
  state.Record(entry);
  Queue(client, entry.position.seq, std::move(reply));
  batch_.push_back(std::move(entry));
}

void PrimaryReplicator::HandleUndecodable(const ClientTag& client, const Error& error) {
  Reply reply = ErrorReply(RequestId{}, "", error.kind, error.message);
  reply.served_by = self_;
  reply.term = term_;
  Queue(client, 0, std::move(reply));
}

std::optional<WriteBatch> PrimaryReplicator::TakeBatch(uint64_t committed_seq) {
  if (batch_.empty()) return std::nullopt;
  WriteBatch batch{self_, term_, committed_seq, std::move(batch_)};
  batch_.clear();
  return batch;
}

std::vector<ClientReplyFrame> PrimaryReplicator::Release(uint64_t committed_seq) {
  std::vector<ClientReplyFrame> out;
  const LogPosition reported = ReportedCommit(committed_seq);
  while (!pending_.empty() && (async_replies_ || pending_.front().needs_seq <= committed_seq)) {
    Pending& front = pending_.front();
    out.push_back(ClientReplyFrame{self_, std::move(front.client), reported, EncodeReply(front.reply)});
    pending_.pop_front();
  }
  return out;
}

LogPosition PrimaryReplicator::ReportedCommit(uint64_t committed_seq) const {
  if (!active_ || committed_seq < term_start_seq_) return LogPosition{};
  return LogPosition{term_, committed_seq};
}

void PrimaryReplicator::Queue(const ClientTag& client, uint64_t needs_seq, Reply reply) {
  pending_.push_back(Pending{client, needs_seq, std::move(reply)});
}

}  // namespace ts::cluster
