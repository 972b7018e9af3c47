@0x8b76325413926580;
# tuplestar's cluster wire: every frame between nodes, and between a node and
# the broker (docs/PROTOCOL.md "Cluster messages" explains who sends what, on
# which socket). The plain C++ values are nodes/cluster_messages.h; the codec
# is nodes/cluster_codec.h.
#
# Framing. Each ZeroMQ frame holds one flat (unpacked) Cap'n Proto message whose
# root is one of the three channel frames below: PeerFrame (node <-> node, on
# the bus and the state-transfer sockets), NodeToBrokerFrame, BrokerToNodeFrame.
# Like a client frame, each starts with magic @0, channel @1, version @2, so the
# first data word identifies it; the magic differs ("TSCL", not "TSTR"), so a
# client frame that strays onto a cluster socket (or the reverse) is named as
# such. The message itself is the frame's unnamed union: a reader that meets a
# union member it does not know (a newer sender) refuses the frame.
#
# Client request and reply bodies travel as Data holding the client codec's
# bytes (schema/codec.h), exactly as the client or the primary wrote them: the
# broker never rebuilds them, and a node decodes them with the client codec.
#
# Evolution: as tuplestar.capnp (fields at the end, union members at the end;
# bump clusterWireVersion only for a change old readers would misread).

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("ts::wire::cluster");

const clusterMagic :UInt32 = 0x4c435354;  # the bytes "TSCL" (little-endian)
const clusterWireVersion :UInt16 = 1;

enum Channel {
  unknown @0;        # never sent: a zeroed header reads as this
  peer @1;
  nodeToBroker @2;
  brokerToNode @3;
}

# The first data word of every cluster frame.
struct ClusterHeader {
  magic @0 :UInt32;      # clusterMagic
  channel @1 :Channel;
  version @2 :UInt16;    # clusterWireVersion
}

# ---------------------------------------------------------------- shared parts

enum Role {             # same order as ts::cluster::Role
  backup @0;
  syncing @1;
  candidate @2;
  primary @3;
  stopped @4;
}

struct LogPosition {
  term @0 :UInt64;
  seq @1 :UInt64;
}

struct Rank {
  last @0 :LogPosition;
  id @1 :UInt32;
}

# A stored pair in text form ("user,42" -> "Alice").
struct TextPair {
  key @0 :Text;
  value @1 :Text;
}

struct WriteEffect {
  upserts @0 :List(TextPair);
  erasedKeys @1 :List(Text);
}

struct LogEntry {
  position @0 :LogPosition;
  clientId @1 :UInt64;        # the request's id (0, 0 for the term-opening no-op)
  requestNumber @2 :UInt64;
  effect @3 :WriteEffect;
  reply @4 :Data;             # EncodeReply bytes; absent (null) when there is none
}

struct ClientRecord {
  clientId @0 :UInt64;
  requestNumber @1 :UInt64;
  seq @2 :UInt64;
  reply @3 :Data;             # EncodeReply bytes
}

# The broker's tag on a client request: the client's ROUTER routing id and a
# token unique within the broker's run.
struct ClientTag {
  address @0 :Data;
  token @1 :UInt64;
}

# ---------------------------------------------------------------- node <-> node

struct Heartbeat {
  from @0 :UInt32;
  role @1 :Role;
  term @2 :UInt64;
  last @3 :LogPosition;
  primaryId @4 :UInt32;
  committedSeq @5 :UInt64;
  brokerLive @6 :Bool;
  leaseStamp @7 :UInt64;   # primary: its clock (ms); follower: the echo of its primary's
  # For status (informational, never decided on): the node's space and process.
  pairs @8 :UInt64;
  pairBytes @9 :UInt64;    # the text of every key and value
  rssBytes @10 :UInt64;    # resident memory (/proc/self/statm); 0: not known
  zapRefused @11 :UInt64;  # handshakes its ZAP handler refused, every reason
}

struct WriteBatch {
  from @0 :UInt32;
  term @1 :UInt64;
  committedSeq @2 :UInt64;
  entries @3 :List(LogEntry);
}

struct Election {
  from @0 :UInt32;
  rank @1 :Rank;
  maxTermSeen @2 :UInt64;
}

struct ElectionAnswer {
  from @0 :UInt32;
  to @1 :UInt32;
  rank @2 :Rank;
}

struct Coordinator {
  from @0 :UInt32;
  term @1 :UInt64;
  last @2 :LogPosition;
}

struct Shutdown {
  from @0 :UInt32;
  term @1 :UInt64;
}

struct StateTransferRequest {
  from @0 :UInt32;
  transferId @1 :UInt64;
  term @2 :UInt64;
  have @3 :LogPosition;
}

struct SnapshotChunk {
  from @0 :UInt32;
  transferId @1 :UInt64;
  term @2 :UInt64;
  index @3 :UInt32;
  pairs @4 :List(TextPair);
}

struct SnapshotEnd {
  from @0 :UInt32;
  transferId @1 :UInt64;
  term @2 :UInt64;
  chunkCount @3 :UInt32;
  at @4 :LogPosition;
  clients @5 :List(ClientRecord);
  committedSeq @6 :UInt64;
}

struct CatchUp {
  from @0 :UInt32;
  transferId @1 :UInt64;
  term @2 :UInt64;
  entries @3 :List(LogEntry);
  committedSeq @4 :UInt64;
}

# ---------------------------------------------------------------- node -> broker

struct RequestVote {
  from @0 :UInt32;
  term @1 :UInt64;
  last @2 :LogPosition;
}

struct VoteAnswer {
  from @0 :UInt32;
  to @1 :UInt32;
  term @2 :UInt64;
  granted @3 :Bool;
  reason @4 :Text;
}

struct PreVoteRequest {
  node @0 :UInt32;
  proposedTerm @1 :UInt64;
  last @2 :LogPosition;
}

struct Registration {
  node @0 :UInt32;
  term @1 :UInt64;
  last @2 :LogPosition;
  voters @3 :List(UInt32);    # the proof of the term: who voted for node in it
  clusterSize @4 :UInt32;     # the configured node count the voters are a majority of
}

struct ClientReplyFrame {
  node @0 :UInt32;
  client @1 :ClientTag;
  committed @2 :LogPosition;
  frame @3 :Data;             # EncodeReply bytes
}

# ---------------------------------------------------------------- broker -> node

struct BrokerStatus {
  servedTerm @0 :UInt64;
  primaryId @1 :UInt32;
  primaryLive @2 :Bool;
  committed @3 :LogPosition;
}

struct PreVoteAnswer {
  proposedTerm @0 :UInt64;
  granted @1 :Bool;
  servedTerm @2 :UInt64;
  primaryId @3 :UInt32;
  reason @4 :Text;
  # The highest committed position the broker knows (0:0: none, as after its
  # restart: then it can fence nothing, and the candidate checks for itself).
  committed @5 :LogPosition;
}

struct RegistrationAnswer {
  term @0 :UInt64;
  accepted @1 :Bool;
  servedTerm @2 :UInt64;
  primaryId @3 :UInt32;
  reason @4 :Text;
}

struct ClientRequestFrame {
  client @0 :ClientTag;
  frame @1 :Data;             # the client's request bytes, as it sent them
}

# ---------------------------------------------------------------- channel frames

# On the heartbeat bus (PUB/SUB) and the state-transfer sockets (ROUTER/DEALER).
struct PeerFrame {
  const frameChannel :Channel = peer;
  magic @0 :UInt32;
  channel @1 :Channel;
  version @2 :UInt16;

  union {
    heartbeat @3 :Heartbeat;
    writeBatch @4 :WriteBatch;
    election @5 :Election;
    electionAnswer @6 :ElectionAnswer;
    coordinator @7 :Coordinator;
    shutdown @8 :Shutdown;
    stateTransferRequest @9 :StateTransferRequest;
    snapshotChunk @10 :SnapshotChunk;
    snapshotEnd @11 :SnapshotEnd;
    catchUp @12 :CatchUp;
    requestVote @13 :RequestVote;
    voteAnswer @14 :VoteAnswer;
  }
}

# Node DEALER -> broker's node ROUTER.
struct NodeToBrokerFrame {
  const frameChannel :Channel = nodeToBroker;
  magic @0 :UInt32;
  channel @1 :Channel;
  version @2 :UInt16;

  union {
    heartbeat @3 :Heartbeat;
    preVoteRequest @4 :PreVoteRequest;
    registration @5 :Registration;
    clientReply @6 :ClientReplyFrame;
  }
}

# Broker's node ROUTER -> node DEALER.
struct BrokerToNodeFrame {
  const frameChannel :Channel = brokerToNode;
  magic @0 :UInt32;
  channel @1 :Channel;
  version @2 :UInt16;

  union {
    brokerStatus @3 :BrokerStatus;
    preVoteAnswer @4 :PreVoteAnswer;
    registrationAnswer @5 :RegistrationAnswer;
    clientRequest @6 :ClientRequestFrame;
    shutdownCommand @7 :Void;
  }
}
