#include "bench/echo_core.h"

#include <type_traits>
#include <utility>
#include <variant>

#include "schema/codec.h"

namespace ts::bench {

using namespace ts::cluster;

EchoCore::EchoCore(EchoConfig config, TimePoint now)
    : config_(config), next_heartbeat_(now), next_registration_(now) {}

Heartbeat EchoCore::MakeHeartbeat() const {
  Heartbeat heartbeat;
  heartbeat.from = config_.id;
  heartbeat.role = accepted_ ? Role::kPrimary : Role::kCandidate;
  // Before acceptance, term 0: a heartbeat of the term being registered, not
  // as primary, would tell the broker its new primary stepped down.
  heartbeat.term = accepted_ ? term_ : 0;
  heartbeat.last = LogPosition{heartbeat.term, 0};
  heartbeat.primary_id = accepted_ ? config_.id : kNoNode;
  heartbeat.broker_live = true;
  return heartbeat;
}

void EchoCore::StartRegistering(uint64_t above_term, TimePoint register_at) {
  accepted_ = false;
  if (term_ <= above_term) term_ = above_term + 1;
  next_registration_ = register_at;
}

void EchoCore::on_message(const BrokerToNode& message, TimePoint now, std::vector<NodeToBroker>& out) {
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, ClientRequestFrame>) {
          Reply reply;
          Result<Request> request = DecodeRequest(m.frame);
          if (request.ok()) {
            reply.id = request.value().id;
            reply.op_name = request.value().op_name;
          } else {
            ++stats_.undecodable;
            reply.error = request.error();
          }
          reply.served_by = config_.id;
          reply.term = term_;
          ++stats_.answered;
          out.emplace_back(ClientReplyFrame{config_.id, m.client, LogPosition{term_, 0}, EncodeReply(reply)});
        } else if constexpr (std::is_same_v<T, RegistrationAnswer>) {
          if (m.term != term_) return;  // an answer to an older attempt
          if (m.accepted) {
            accepted_ = true;
            next_heartbeat_ = now;  // tell the broker at once that its primary is live
          } else {
            StartRegistering(m.served_term, now + config_.registration_retry);
          }
        } else if constexpr (std::is_same_v<T, BrokerStatus>) {
          if (accepted_ && (m.served_term > term_ || (m.primary_id != kNoNode && m.primary_id != config_.id))) {
            StartRegistering(m.served_term, now);
          }
        } else if constexpr (std::is_same_v<T, ShutdownCommand>) {
          shutdown_requested_ = true;
        }
        // PreVoteAnswer: never asked for.
      },
      message);
}

void EchoCore::on_tick(TimePoint now, std::vector<NodeToBroker>& out) {
  if (!accepted_ && now >= next_registration_) {
    ++stats_.registrations_sent;
    // A stand-in primary of a one-node cluster: its own vote is its majority.
    out.emplace_back(Registration{config_.id, term_, LogPosition{term_, 0}, {config_.id}, 1});
    next_registration_ = now + config_.registration_retry;
  }
  if (now >= next_heartbeat_) {
    out.emplace_back(MakeHeartbeat());
    next_heartbeat_ = now + config_.heartbeat_interval;
  }
}

}  // namespace ts::bench
