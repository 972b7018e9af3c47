// TermClaim: what one message says about terms, the only thing NodeCore's
// step prelude reads before it settles the message's term.
//
// Every message kind has exactly one kind of claim (TermClaimOf lists them):
//   kNone      carries no term                  ElectionAnswer, ClientRequestFrame,
//                                               ShutdownCommand, RequestVote and
//                                               VoteAnswer (their terms are settled
//                                               by the vote rules, node_core_vote.cpp)
//   kHeardOf   a term the sender has heard of   Election (its max_term_seen),
//                                               PreVoteAnswer, RegistrationAnswer
//                                               (the broker's served term)
//   kMember    the sender is in the term        a heartbeat of a non-primary
//              (follows it, or voted in it)
//   kLeader    the sender leads the term        a primary's heartbeat, WriteBatch,
//                                               Coordinator
//   kForTerm   part of that term's replication  Shutdown, StateTransferRequest,
//                                               SnapshotChunk, SnapshotEnd, CatchUp
//   kServes    the broker serves `node` in it   BrokerStatus
// Every term named is one a real primary had or a node voted in (a term only
// asked for, like RegistrationAnswer::term or RequestVote::term, is not a
// claim), so any of them may raise the highest term a node has heard of: a
// new term is proposed above it.
#pragma once

#include <cstdint>

#include "schema/cluster_messages.h"

namespace ts::cluster {

struct TermClaim {
  enum Kind { kNone, kHeardOf, kMember, kLeader, kForTerm, kServes };
  Kind kind = kNone;
  uint64_t term = 0;
  NodeId node = kNoNode;  // kMember, kLeader: the sender; kServes: the primary served
  // A heartbeat is also its sender's report of itself (liveness, acks): it is
  // never dropped, whatever its term; only its claim is settled.
  bool report = false;
};

TermClaim TermClaimOf(const PeerMessage& message);
TermClaim TermClaimOf(const BrokerToNode& message);
// The node a peer message comes from (every peer message names it).
NodeId SenderOf(const PeerMessage& message);

}  // namespace ts::cluster
