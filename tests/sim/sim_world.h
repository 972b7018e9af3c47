// The deterministic simulation: a broker core, 3 or 5 node cores and a few
// clients in one thread, on a simulated clock and network, driven by a seed.
//
// The network drops, delays (so reorders) and duplicates messages, cuts links
// (partitions between nodes, or between a node and the broker), and crashes
// nodes: one at a time, or every node at once (a power cut). Each node has a
// durable log (nodes/node_log.h) on its own MemoryStorage, whose fdatasync
// takes 0-4 ms; a crash keeps what was synced and a random part of the rest
// (MemoryStorage::Crash), and the node restarts from it and catches up. Faults stop at a seeded time;
// then the cluster must heal. Invariants checked on every run:
//  1. the broker never accepts two primaries in one term, and no two nodes
//     act as primary in one term;
//  2. every reply a client gets is the one correct reply given all the writes
//     it had acknowledged before (so no acked write is lost or changed, and a
//     retried request is applied at most once: a second application of a
//     PUT/DELETE would answer differently, and would show in the final state);
//     a write answered "not enough replicas" (other than "nothing was
//     changed") is open: it may take effect or not, once (sim_client.h);
//  3. once faults stop, every node converges to the same log position and the
//     same space, and the final primary's space is one the clients' replies
//     allow (exactly their acknowledged writes, plus any open ones);
//  4. every reply a node sends names it and its term (served_by, term), and a
//     primary with fewer than min_acks backups in reach after its takeover
//     grace holds no reply back (nothing can commit, so nothing may wait);
//  5. nothing a node sends claims more than its disk holds: a backup's ack
//     (heartbeat) names at most its last synced position, and a primary's
//     commit point (in replies and heartbeats) is covered by its own sync;
//  6. then an operator's SHUTDOWN goes through a broker core's shutdown
//     path (sim_world_shutdown.cpp): broker 1's, or in half the seeds broker
//     2's while broker 1 is crashed; on a clean or lossy network or with a
//     node cut from its peers: no term starts while it runs, a client is told
//     the service is shutting down, every operator that asked gets one
//     answer, a node stops if and only if it saves, and the answer is true
//     ("confirmed" only when no running node looked live to the broker; with
//     no loss, confirmed and every node stopped) within the grace.
// The broker crashes too, alone (its memory lost, the nodes running on) or
// with every node; check 1 holds across its incarnations.
// A quarter of the seeds are "storms": up to 15% loss, faults twice as often.
// Any node may crash at any time: what it acknowledged is on its disk.
#pragma once

#include <cstdint>
#include <string>

namespace ts::sim {

struct SimOptions {
  uint64_t seed = 1;
  bool trace = false;       // print every event to stderr
  bool async_replies = false;  // async mode: only invariants 1 and 3 hold
};

struct SimResult {
  bool ok = true;
  std::string failure;      // what went wrong, with the simulated time
  int64_t end_time_ms = 0;
  uint64_t events = 0;
  uint64_t acknowledged = 0;   // client requests answered for good
  uint64_t left_open = 0;      // writes answered "not enough replicas" whose fate stayed open
  uint64_t primaries = 0;      // terms accepted by the broker
  uint64_t crashes = 0;
  uint64_t broker_crashes = 0;  // the broker alone, memory lost
  uint64_t partitions = 0;
  uint32_t nodes = 0;
  int64_t shutdown_ms = 0;              // from the SHUTDOWN reaching the broker to its exit
  uint64_t nodes_left_running = 0;      // after a confirmed shutdown on a lossy network (they looked gone)
  uint64_t terms_refused_stopping = 0;  // pre-votes and registrations the broker ignored while stopping
  uint64_t requests_refused_stopping = 0;  // client requests answered "shutting down"
  uint64_t operators_answered = 0;      // the operator, and its retry when it came in time
  uint64_t shutdowns_via_broker2 = 0;   // 1 when the SHUTDOWN went through broker 2 (broker 1 crashed)
};

SimResult RunSimulation(const SimOptions& options);

}  // namespace ts::sim
