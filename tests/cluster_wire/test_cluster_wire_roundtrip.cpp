// Round trips: every variant of every channel, with every field set, comes
// back from its frame equal field by field; big messages too.
#include <catch2/catch.hpp>

#include "schema/cluster_codec.h"
#include "tests/cluster_wire/cluster_samples.h"

namespace ts::cluster_wire_test {
namespace {

TEST_CASE("every peer message round-trips field by field", "[cluster_wire]") {
  for (const PeerMessage& message : SamplePeerMessages()) {
    INFO(Dump(message));
    const std::string frame = EncodePeerMessage(message);
    REQUIRE(frame.size() % 8 == 0);
    Result<PeerMessage> decoded = DecodePeerMessage(frame);
    REQUIRE(decoded.ok());
    CHECK(decoded.value().index() == message.index());
    CHECK(Dump(decoded.value()) == Dump(message));
  }
}

TEST_CASE("every node-to-broker message round-trips field by field", "[cluster_wire]") {
  for (const NodeToBroker& message : SampleNodeToBroker()) {
    INFO(Dump(message));
    Result<NodeToBroker> decoded = DecodeNodeToBroker(EncodeNodeToBroker(message));
    REQUIRE(decoded.ok());
    CHECK(decoded.value().index() == message.index());
    CHECK(Dump(decoded.value()) == Dump(message));
  }
}

TEST_CASE("every broker-to-node message round-trips field by field", "[cluster_wire]") {
  for (const BrokerToNode& message : SampleBrokerToNode()) {
    INFO(Dump(message));
    Result<BrokerToNode> decoded = DecodeBrokerToNode(EncodeBrokerToNode(message));
    REQUIRE(decoded.ok());
    CHECK(decoded.value().index() == message.index());
    CHECK(Dump(decoded.value()) == Dump(message));
  }
}

TEST_CASE("the samples cover every variant of every channel", "[cluster_wire]") {
  std::vector<bool> peer(std::variant_size_v<PeerMessage>), up(std::variant_size_v<NodeToBroker>),
      down(std::variant_size_v<BrokerToNode>);
  for (const auto& m : SamplePeerMessages()) peer[m.index()] = true;
  for (const auto& m : SampleNodeToBroker()) up[m.index()] = true;
  for (const auto& m : SampleBrokerToNode()) down[m.index()] = true;
  for (size_t i = 0; i < peer.size(); ++i) CHECK(peer[i]);
  for (size_t i = 0; i < up.size(); ++i) CHECK(up[i]);
  for (size_t i = 0; i < down.size(); ++i) CHECK(down[i]);
}

TEST_CASE("a snapshot chunk of 5000 pairs and a batch of 20000 entries round-trip", "[cluster_wire]") {
  SnapshotChunk chunk{4, 8, 2, 17, {}};
  for (int i = 0; i < 5000; ++i) chunk.pairs.emplace_back("key," + std::to_string(i), "value," + std::to_string(i * i));
  Result<PeerMessage> chunk_back = DecodePeerMessage(EncodePeerMessage(chunk));
  REQUIRE(chunk_back.ok());
  CHECK(Dump(chunk_back.value()) == Dump(PeerMessage{chunk}));

  WriteBatch batch{1, 2, 3, {}};
  for (uint64_t seq = 1; seq <= 20000; ++seq) batch.entries.push_back(SampleEntry(seq, seq % 3 == 0));
  Result<PeerMessage> batch_back = DecodePeerMessage(EncodePeerMessage(batch));
  REQUIRE(batch_back.ok());
  CHECK(Dump(batch_back.value()) == Dump(PeerMessage{batch}));
}

TEST_CASE("an embedded client request travels byte for byte, even when it is not a request", "[cluster_wire]") {
  const std::string garbage("\x01\x02\x00\xff not capnp", 13);
  Result<BrokerToNode> decoded = DecodeBrokerToNode(EncodeBrokerToNode(ClientRequestFrame{{"abc", 5}, garbage}));
  REQUIRE(decoded.ok());
  CHECK(std::get<ClientRequestFrame>(decoded.value()).frame == garbage);
}

}  // namespace
}  // namespace ts::cluster_wire_test
