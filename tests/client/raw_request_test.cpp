// put-raw's encoder: the pair list on the wire is exactly what was typed.
#include <catch2/catch.hpp>

#include <capnp/serialize.h>

#include <cstring>

#include "clients/raw_request.h"
#include "schema/codec.h"
#include "schema/tuplestar.capnp.h"

namespace {

std::vector<std::string> Elements(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> elements;
  for (capnp::Text::Reader text : list) elements.emplace_back(text.cStr(), text.size());
  return elements;
}

}  // namespace

TEST_CASE("raw request: items pair up unchecked, an odd count leaves a value missing", "[client][raw_request]") {
  const std::string frame =
      ts::EncodePurportedPairList(ts::RequestId{5, 6}, "PUT", {"a,,b", "1", "lonely"});
  REQUIRE(frame.size() % sizeof(capnp::word) == 0);
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(frame.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), frame.data(), frame.size());
  capnp::FlatArrayMessageReader reader(words);
  auto request = reader.getRoot<ts::wire::ClientRequest>();

  CHECK(request.getOp() == "PUT");
  CHECK(request.getId().getClientId() == 5);
  CHECK(request.getId().getRequestNumber() == 6);
  REQUIRE(request.getPairs().size() == 2);
  CHECK(Elements(request.getPairs()[0].getKey()) == std::vector<std::string>{"a", "", "b"});
  CHECK(Elements(request.getPairs()[0].getValue()) == std::vector<std::string>{"1"});
  CHECK(Elements(request.getPairs()[1].getKey()) == std::vector<std::string>{"lonely"});
  CHECK_FALSE(request.getPairs()[1].hasValue());

  // The codec reads it as a request with a malformed pair list, id intact.
  ts::Result<ts::Request> decoded = ts::DecodeRequest(frame);
  REQUIRE(decoded.ok());
  CHECK(decoded.value().id == ts::RequestId{5, 6});
  REQUIRE(decoded.value().pair_list_error.has_value());
  CHECK(*decoded.value().pair_list_error == "pair 2 of 2 has no value");
}

TEST_CASE("raw request: an even count of well-formed items is an ordinary PUT", "[client][raw_request]") {
  const std::string frame = ts::EncodePurportedPairList(ts::RequestId{1, 2}, "PUT", {"k,1", "v"});
  ts::Result<ts::Request> decoded = ts::DecodeRequest(frame);
  REQUIRE(decoded.ok());
  CHECK_FALSE(decoded.value().pair_list_error.has_value());
  CHECK(decoded.value().pairs == std::vector<ts::Pair>{ts::Pair{{"k", "1"}, {"v"}}});

  ts::Result<ts::Request> empty = ts::DecodeRequest(ts::EncodePurportedPairList(ts::RequestId{1, 3}, "PUT", {}));
  REQUIRE(empty.ok());
  CHECK(empty.value().pairs.empty());
}
