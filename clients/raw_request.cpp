#include "clients/raw_request.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "schema/tuplestar.capnp.h"

namespace ts {
namespace {

void FillTuple(capnp::List<capnp::Text>::Builder list, const Tuple& tuple) {
  for (unsigned i = 0; i < tuple.size(); ++i) list.set(i, capnp::Text::Reader(tuple[i].data(), tuple[i].size()));
}

}  // namespace

std::string EncodePurportedPairList(const RequestId& id, std::string_view op_name,
                                    const std::vector<std::string>& items) {
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<wire::ClientRequest>();
  root.setMagic(wire::FRAME_MAGIC);
  root.setKind(wire::ClientRequest::FRAME_KIND);
  root.setVersion(wire::WIRE_VERSION);
  auto request_id = root.initId();
  request_id.setClientId(id.client_id);
  request_id.setRequestNumber(id.request_number);
  root.setOp(capnp::Text::Reader(op_name.data(), op_name.size()));

  const size_t pair_count = (items.size() + 1) / 2;
  auto pairs = root.initPairs(static_cast<unsigned>(pair_count));
  for (size_t i = 0; i < pair_count; ++i) {
    wire::Pair::Builder pair = pairs[static_cast<unsigned>(i)];
    Tuple key = SplitTupleText(items[2 * i]);
    FillTuple(pair.initKey(static_cast<unsigned>(key.size())), key);
    // An odd count leaves the last value unset: a null pointer on the wire.
    if (2 * i + 1 < items.size()) {
      Tuple value = SplitTupleText(items[2 * i + 1]);
      FillTuple(pair.initValue(static_cast<unsigned>(value.size())), value);
    }
  }
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

}  // namespace ts
