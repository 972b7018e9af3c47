@0xb7c2d5a4e6f10a31;
# tuplestar's client wire: the frames between clients, the broker and the
# primary (docs/PROTOCOL.md explains it). Cluster frames: schema/cluster.capnp.
#
# Framing. Each ZeroMQ frame holds one flat (unpacked) Cap'n Proto message whose
# root is one of the top-level frame structs below (ClientRequest, ClientReply,
# ...). Every frame struct starts with the same three fields, @0 magic, @1 kind,
# @2 version, so the first data word of any tuplestar frame reads the same way
# (FrameHeader): a reader checks it before anything else, and a stray or foreign
# frame is named as such instead of being half-understood.
#
# Evolution. Add fields at the end of a struct, enumerants at the end of an
# enum, frame kinds at the end of FrameKind: old readers skip what they do not
# know. Bump wireVersion only for a change old readers would misread.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("ts::wire");

const frameMagic :UInt32 = 0x52545354;  # the bytes "TSTR" (little-endian)
const wireVersion :UInt16 = 1;

enum FrameKind {
  unknown @0;        # never sent: a zeroed header reads as this
  clientRequest @1;
  clientReply @2;
  # Further client-side frame kinds go here. Cluster frames (issue 3) live in
  # schema/cluster.capnp, with their own magic ("TSCL") and channel header.
}

# The first data word of every frame struct; read a frame as this to learn its
# kind before choosing how to decode it (schema/capnp_frame.h PeekFrameKind).
struct FrameHeader {
  magic @0 :UInt32;      # frameMagic
  kind @1 :FrameKind;
  version @2 :UInt16;    # wireVersion
}

# ---------------------------------------------------------------- client frames

# A request's identity, for exactly-once retries: a client picks clientId at
# random once and numbers its requests 1, 2, 3, ...; a retry reuses the number.
struct RequestId {
  clientId @0 :UInt64;
  requestNumber @1 :UInt64;
}

# A tuple is a list of elements; well-formed elements are [A-Za-z0-9]+, but the
# wire carries anything and the space judges it. A missing key or value
# (null pointer) makes the whole pair list malformed; an empty list is a
# malformed pair.
struct Pair {
  key @0 :List(Text);
  value @1 :List(Text);
}

# Why a PUT/POST pair was not used. Same order as ts::RejectReason.
enum RejectReason {
  malformed @0;           # key or value not a well-formed tuple
  keyPresent @1;          # PUT: key already in the space
  keyAbsent @2;           # POST: key not in the space
  repeatedInRequest @3;   # the same key appears earlier in this request
  tooLarge @4;            # a tuple past the elements-per-tuple or bytes-per-element limit
}

# Why a request failed as a whole. Same order as ts::ErrorKind.
enum ErrorKind {
  malformedRequest @0;
  malformedPattern @1;
  patternTooCostly @2;
  notImplemented @3;
  tooLarge @4;
  serviceRefused @5;
  unavailable @6;
  notEnoughReplicas @7;
  internal @8;
  historyGone @9;         # WATCH: the position asked for is older than the kept change history
}

struct Error {
  kind @0 :ErrorKind;
  message @1 :Text;      # for a person: says what was wrong, and where
}

struct Rejection {
  pair @0 :Pair;
  reason @1 :RejectReason;
}

# Client -> broker -> primary.
struct ClientRequest {
  const frameKind :FrameKind = clientRequest;
  magic @0 :UInt32;
  kind @1 :FrameKind;
  version @2 :UInt16;

  id @3 :RequestId;
  op @4 :Text;             # "GET", "PUT", "POST", "DELETE", "TAKE", "WATCH"; anything else is
                           # answered notImplemented, naming it
  keyPattern @5 :Text;     # GET/DELETE/TAKE/WATCH: Python re pattern over the key text
  valuePattern @6 :Text;   # GET/DELETE/TAKE/WATCH: Python re pattern over the value text
  pairs @7 :List(Pair);    # PUT/POST
  limit @8 :UInt32;        # GET: at most this many pairs (0: as many as the reply limit allows)
  afterKey @9 :Text;       # GET: only keys after this key text, in key order ("": from the first)
  waitMs @10 :UInt32;      # GET/TAKE/WATCH: hold the request up to this long for a match (0: answer now)
  afterSeq @11 :UInt64;    # WATCH: the changes after this log seq (0: from the committed position now)
}

# One committed write's effect on one pair, as a WATCH reply lists it.
struct Change {
  seq @0 :UInt64;          # the log position (seq) of the write that made it
  op @1 :Text;             # "PUT", "POST", "DELETE", "TAKE", or "UNDO" (a write taken back)
  pair @2 :Pair;           # the pair written, or the pair removed
  erased @3 :Bool;         # the pair was removed (DELETE, TAKE), not stored
}

# Primary -> broker -> client (or broker -> client for serviceRefused and
# unavailable, with servedBy = 0).
struct ClientReply {
  const frameKind :FrameKind = clientReply;
  magic @0 :UInt32;
  kind @1 :FrameKind;
  version @2 :UInt16;

  id @3 :RequestId;        # the request's id, echoed
  op @4 :Text;             # the request's op, echoed
  servedBy @5 :UInt32;     # node id of the primary that answered
  term @6 :UInt64;         # that primary's term
  pairs @7 :List(Pair);    # GET/DELETE/TAKE: matching pairs (TAKE: the one taken), by key text
  rejected @8 :List(Rejection);  # PUT/POST: pairs not used, with why
  error @9 :Error;         # absent when the request succeeded
  more @10 :Bool;          # GET with a limit: more pairs match after the last one here
  changes @11 :List(Change);  # WATCH: the matching changes after the request's position, in log order
  position @12 :UInt64;    # WATCH: the cursor to send next (the last seq this reply covers)
}

# ---------------------------------------------------------------- cluster frames
# Cluster messages (issue 3: heartbeat, write batch, register, pre-vote,
# state-transfer chunks) are in schema/cluster.capnp, decoded through the same
# schema/capnp_frame.h machinery (ReadFrame, FieldPath, EncodeFrame). A new
# frame kind that belongs on a client socket goes here instead: a top-level
# struct starting with magic @0, kind @1, version @2 and declaring
# `const frameKind :FrameKind = <its kind>;`, so that InitFrame and
# DecodeFrame work for it unchanged.
