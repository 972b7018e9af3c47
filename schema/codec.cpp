#include "schema/codec.h"

#include <charconv>

#include "schema/capnp_frame.h"

namespace ts {
namespace {

using capnp_frame::BuildFrame;
using capnp_frame::DecodeFrame;
using capnp_frame::InitFrame;
using TextList = capnp::List<capnp::Text>;

// ------------------------------------------------------------ sizing
// Words a message needs (a slight overestimate), so that BuildFrame makes it
// in one first segment that is neither outgrown nor much too big.

size_t TextWords(const std::string& text) { return (text.size() + sizeof(capnp::word)) / sizeof(capnp::word); }

size_t TupleWords(const Tuple& tuple) {
  size_t words = 1 + tuple.size();  // list tag slack + one pointer per element
  for (const std::string& element : tuple) words += TextWords(element);
  return words;
}

size_t PairWords(const Pair& pair) { return 2 + TupleWords(pair.key) + TupleWords(pair.value); }

size_t RequestWords(const Request& request) {
  size_t words = 21 + TextWords(request.op_name) + TextWords(request.key_pattern) +
                 TextWords(request.value_pattern) + TextWords(request.after_key);
  for (const Pair& pair : request.pairs) words += PairWords(pair);
  return words;
}

size_t ReplyWords(const Reply& reply) {
  size_t words = 28 + TextWords(reply.op_name);
  for (const Pair& pair : reply.pairs) words += PairWords(pair);
  for (const Rejection& rejection : reply.rejected) words += 2 + PairWords(rejection.pair);
  for (const Change& change : reply.changes) words += 5 + TextWords(change.op) + PairWords(change.pair);
  if (reply.error) words += 3 + TextWords(reply.error->message);
  return words;
}

// ------------------------------------------------------------ encode

capnp::Text::Reader AsText(const std::string& text) {
  return capnp::Text::Reader(text.data(), text.size());  // std::string is NUL-terminated
}

void SetTuple(TextList::Builder list, const Tuple& tuple) {
  for (unsigned i = 0; i < tuple.size(); ++i) list.set(i, AsText(tuple[i]));
}

void SetPair(wire::Pair::Builder out, const Pair& pair) {
  SetTuple(out.initKey(static_cast<unsigned>(pair.key.size())), pair.key);
  SetTuple(out.initValue(static_cast<unsigned>(pair.value.size())), pair.value);
}

void SetId(wire::RequestId::Builder out, const RequestId& id) {
  out.setClientId(id.client_id);
  out.setRequestNumber(id.request_number);
}

wire::RejectReason ToWire(RejectReason reason) {
  switch (reason) {
    case RejectReason::kMalformed: return wire::RejectReason::MALFORMED;
    case RejectReason::kKeyPresent: return wire::RejectReason::KEY_PRESENT;
    case RejectReason::kKeyAbsent: return wire::RejectReason::KEY_ABSENT;
    case RejectReason::kRepeatedInRequest: return wire::RejectReason::REPEATED_IN_REQUEST;
    case RejectReason::kTooLarge: return wire::RejectReason::TOO_LARGE;
  }
  return wire::RejectReason::MALFORMED;
}

wire::ErrorKind ToWire(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kMalformedRequest: return wire::ErrorKind::MALFORMED_REQUEST;
    case ErrorKind::kMalformedPattern: return wire::ErrorKind::MALFORMED_PATTERN;
    case ErrorKind::kPatternTooCostly: return wire::ErrorKind::PATTERN_TOO_COSTLY;
    case ErrorKind::kNotImplemented: return wire::ErrorKind::NOT_IMPLEMENTED;
    case ErrorKind::kTooLarge: return wire::ErrorKind::TOO_LARGE;
    case ErrorKind::kServiceRefused: return wire::ErrorKind::SERVICE_REFUSED;
    case ErrorKind::kUnavailable: return wire::ErrorKind::UNAVAILABLE;
    case ErrorKind::kNotEnoughReplicas: return wire::ErrorKind::NOT_ENOUGH_REPLICAS;
    case ErrorKind::kInternal: return wire::ErrorKind::INTERNAL;
    case ErrorKind::kHistoryGone: return wire::ErrorKind::HISTORY_GONE;
  }
  return wire::ErrorKind::INTERNAL;
}

// ------------------------------------------------------------ decode
// Every getter below may throw kj::Exception on hostile bytes; DecodeFrame
// catches it. Nothing here keeps a reference into the frame.

// Every getter below may throw kj::Exception on hostile bytes; DecodeFrame
// catches it and reports `path`, which the converters keep current. Nothing
// here keeps a reference into the frame.
using capnp_frame::FieldPath;

std::string ToString(capnp::Text::Reader text) { return std::string(text.cStr(), text.size()); }

// `element_name` is a static string: "key element", "value element".
Tuple ToTuple(TextList::Reader list, FieldPath& path, int depth, const char* element_name) {
  Tuple tuple;
  tuple.reserve(list.size());
  for (unsigned i = 0; i < list.size(); ++i) {
    path.At(depth, element_name, i + 1);
    tuple.push_back(ToString(list[i]));
  }
  return tuple;
}

// Lenient: a missing key or value reads as an empty tuple (used for replies,
// which come from our own servers; requests check presence first).
Pair ToPair(wire::Pair::Reader pair, FieldPath& path, int depth) {
  path.At(depth, "key");
  Tuple key = ToTuple(pair.getKey(), path, depth, "key element");
  path.At(depth, "value");
  Tuple value = ToTuple(pair.getValue(), path, depth, "value element");
  return Pair{std::move(key), std::move(value)};
}

RequestId ToId(wire::RequestId::Reader id) { return RequestId{id.getClientId(), id.getRequestNumber()}; }

// A newer server may send reasons this client does not know; the pair was
// still not used, and kMalformed is the closest honest answer.
RejectReason FromWire(wire::RejectReason reason) {
  switch (reason) {
    case wire::RejectReason::MALFORMED: return RejectReason::kMalformed;
    case wire::RejectReason::KEY_PRESENT: return RejectReason::kKeyPresent;
    case wire::RejectReason::KEY_ABSENT: return RejectReason::kKeyAbsent;
    case wire::RejectReason::REPEATED_IN_REQUEST: return RejectReason::kRepeatedInRequest;
    case wire::RejectReason::TOO_LARGE: return RejectReason::kTooLarge;
  }
  return RejectReason::kMalformed;
}

// Unknown error kinds (from a newer server) become kInternal, and the message
// says which kind number the server sent.
Error FromWire(wire::Error::Reader error) {
  std::string message = ToString(error.getMessage());
  switch (error.getKind()) {
    case wire::ErrorKind::MALFORMED_REQUEST: return Error{ErrorKind::kMalformedRequest, std::move(message)};
    case wire::ErrorKind::MALFORMED_PATTERN: return Error{ErrorKind::kMalformedPattern, std::move(message)};
    case wire::ErrorKind::PATTERN_TOO_COSTLY: return Error{ErrorKind::kPatternTooCostly, std::move(message)};
    case wire::ErrorKind::NOT_IMPLEMENTED: return Error{ErrorKind::kNotImplemented, std::move(message)};
    case wire::ErrorKind::TOO_LARGE: return Error{ErrorKind::kTooLarge, std::move(message)};
    case wire::ErrorKind::SERVICE_REFUSED: return Error{ErrorKind::kServiceRefused, std::move(message)};
    case wire::ErrorKind::UNAVAILABLE: return Error{ErrorKind::kUnavailable, std::move(message)};
    case wire::ErrorKind::NOT_ENOUGH_REPLICAS: return Error{ErrorKind::kNotEnoughReplicas, std::move(message)};
    case wire::ErrorKind::INTERNAL: return Error{ErrorKind::kInternal, std::move(message)};
    case wire::ErrorKind::HISTORY_GONE: return Error{ErrorKind::kHistoryGone, std::move(message)};
  }
  return Error{ErrorKind::kInternal,
               "server sent error kind #" + std::to_string(static_cast<uint16_t>(error.getKind())) +
                   ", unknown to this client: " + message};
}

// 1-based, as a person counts: "pair 3 of 10 has no value".
std::string MissingPartOfPair(unsigned index, unsigned count, bool has_key, bool has_value) {
  const char* missing = !has_key && !has_value ? "key or value" : (!has_key ? "key" : "value");
  return "pair " + std::to_string(index + 1) + " of " + std::to_string(count) + " has no " + missing;
}

Request ToRequest(wire::ClientRequest::Reader in, FieldPath& path) {
  Request request;
  path.At(0, "id");
  request.id = ToId(in.getId());
  path.At(0, "op");
  request.op_name = ToString(in.getOp());
  path.At(0, "key pattern");
  request.key_pattern = ToString(in.getKeyPattern());
  path.At(0, "value pattern");
  request.value_pattern = ToString(in.getValuePattern());
  request.limit = in.getLimit();
  path.At(0, "after key");
  request.after_key = ToString(in.getAfterKey());
  request.wait_ms = in.getWaitMs();
  request.after_seq = in.getAfterSeq();
  path.At(0, "pair list");
  const auto pairs = in.getPairs();
  request.pairs.reserve(pairs.size());
  for (unsigned i = 0; i < pairs.size(); ++i) {
    path.At(0, "pair", i + 1);
    const wire::Pair::Reader pair = pairs[i];
    if (!pair.hasKey() || !pair.hasValue()) {
      request.pair_list_error = MissingPartOfPair(i, pairs.size(), pair.hasKey(), pair.hasValue());
      request.pairs.clear();
      break;
    }
    request.pairs.push_back(ToPair(pair, path, 1));
  }
  return request;
}

Reply ToReply(wire::ClientReply::Reader in, FieldPath& path) {
  Reply reply;
  path.At(0, "id");
  reply.id = ToId(in.getId());
  path.At(0, "op");
  reply.op_name = ToString(in.getOp());
  reply.served_by = in.getServedBy();
  reply.term = in.getTerm();
  reply.more = in.getMore();
  reply.position = in.getPosition();
  path.At(0, "change list");
  const auto changes = in.getChanges();
  reply.changes.reserve(changes.size());
  for (unsigned i = 0; i < changes.size(); ++i) {
    path.At(0, "change", i + 1);
    const wire::Change::Reader change = changes[i];
    reply.changes.push_back(
        Change{change.getSeq(), ToString(change.getOp()), ToPair(change.getPair(), path, 1), change.getErased()});
  }
  path.At(0, "pair list");
  const auto pairs = in.getPairs();
  reply.pairs.reserve(pairs.size());
  for (unsigned i = 0; i < pairs.size(); ++i) {
    path.At(0, "pair", i + 1);
    reply.pairs.push_back(ToPair(pairs[i], path, 1));
  }
  path.At(0, "rejected list");
  const auto rejected = in.getRejected();
  reply.rejected.reserve(rejected.size());
  for (unsigned i = 0; i < rejected.size(); ++i) {
    path.At(0, "rejected pair", i + 1);
    const wire::Rejection::Reader rejection = rejected[i];
    Pair pair = ToPair(rejection.getPair(), path, 1);
    reply.rejected.push_back(Rejection{std::move(pair), FromWire(rejection.getReason())});
  }
  path.At(0, "error");
  if (in.hasError()) reply.error = FromWire(in.getError());
  return reply;
}

}  // namespace

std::string EncodeRequest(const Request& request) {
  return BuildFrame(RequestWords(request), [&](capnp::MessageBuilder& builder) {
    wire::ClientRequest::Builder out = InitFrame<wire::ClientRequest>(builder);
    SetId(out.initId(), request.id);
    out.setOp(AsText(request.op_name));
    out.setKeyPattern(AsText(request.key_pattern));
    out.setValuePattern(AsText(request.value_pattern));
    out.setLimit(request.limit);
    if (!request.after_key.empty()) out.setAfterKey(AsText(request.after_key));
    out.setWaitMs(request.wait_ms);
    out.setAfterSeq(request.after_seq);
    auto pairs = out.initPairs(static_cast<unsigned>(request.pairs.size()));
    for (unsigned i = 0; i < request.pairs.size(); ++i) SetPair(pairs[i], request.pairs[i]);
  });
}

Result<Request> DecodeRequest(std::string_view frame, const DecodeLimits& limits) {
  return DecodeFrame<Request, wire::ClientRequest>(frame, limits, ToRequest);
}

std::string EncodeReply(const Reply& reply) {
  return BuildFrame(ReplyWords(reply), [&](capnp::MessageBuilder& builder) {
    wire::ClientReply::Builder out = InitFrame<wire::ClientReply>(builder);
    SetId(out.initId(), reply.id);
    out.setOp(AsText(reply.op_name));
    out.setServedBy(reply.served_by);
    out.setTerm(reply.term);
    out.setMore(reply.more);
    out.setPosition(reply.position);
    if (!reply.changes.empty()) {
      auto changes = out.initChanges(static_cast<unsigned>(reply.changes.size()));
      for (unsigned i = 0; i < reply.changes.size(); ++i) {
        changes[i].setSeq(reply.changes[i].seq);
        changes[i].setOp(AsText(reply.changes[i].op));
        SetPair(changes[i].initPair(), reply.changes[i].pair);
        changes[i].setErased(reply.changes[i].erased);
      }
    }
    auto pairs = out.initPairs(static_cast<unsigned>(reply.pairs.size()));
    for (unsigned i = 0; i < reply.pairs.size(); ++i) SetPair(pairs[i], reply.pairs[i]);
    auto rejected = out.initRejected(static_cast<unsigned>(reply.rejected.size()));
    for (unsigned i = 0; i < reply.rejected.size(); ++i) {
      SetPair(rejected[i].initPair(), reply.rejected[i].pair);
      rejected[i].setReason(ToWire(reply.rejected[i].reason));
    }
    if (reply.error) {
      wire::Error::Builder error = out.initError();
      error.setKind(ToWire(reply.error->kind));
      error.setMessage(AsText(reply.error->message));
    }
  });
}

Result<Reply> DecodeReply(std::string_view frame, const DecodeLimits& limits) {
  return DecodeFrame<Reply, wire::ClientReply>(frame, limits, ToReply);
}

Result<FrameSummary> PeekRequest(std::string_view frame, const DecodeLimits& limits) {
  return DecodeFrame<FrameSummary, wire::ClientRequest>(
      frame, limits, [](wire::ClientRequest::Reader in, FieldPath& path) {
        FrameSummary summary;
        path.At(0, "id");
        summary.id = ToId(in.getId());
        path.At(0, "op");
        summary.op_name = ToString(in.getOp());
        return summary;
      });
}

Result<FrameSummary> PeekReply(std::string_view frame, const DecodeLimits& limits) {
  return DecodeFrame<FrameSummary, wire::ClientReply>(frame, limits, [](wire::ClientReply::Reader in, FieldPath& path) {
    FrameSummary summary;
    path.At(0, "id");
    summary.id = ToId(in.getId());
    path.At(0, "op");
    summary.op_name = ToString(in.getOp());
    path.At(0, "rejected list");
    summary.rejected = in.getRejected().size();
    path.At(0, "error");
    if (in.hasError()) summary.error = FromWire(in.getError()).kind;
    return summary;
  });
}

std::string OutcomeOf(const FrameSummary& reply) {
  if (reply.error) return std::string(ErrorKindName(*reply.error));
  return reply.rejected > 0 ? "rejected" : "ok";
}

std::string TimingKey(std::string_view client_address, const RequestId& id) {
  // Once per request and per reply on every broker and node: one buffer, no temporaries.
  constexpr size_t kDigits = 20;  // of a uint64_t
  std::string key;
  key.reserve(client_address.size() + 2 + 2 * kDigits);
  key.append(client_address);
  key += '\0';
  char digits[kDigits];
  auto append = [&](uint64_t value) {
    const auto end = std::to_chars(digits, digits + kDigits, value).ptr;
    key.append(digits, static_cast<size_t>(end - digits));
  };
  append(id.client_id);
  key += ':';
  append(id.request_number);
  return key;
}

}  // namespace ts
