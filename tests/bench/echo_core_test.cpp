// EchoCore, the ceiling's decisions: registration (with fencing retries),
// heartbeats, and an immediate well-formed reply to every request.
#include <catch2/catch.hpp>

#include <variant>

#include "bench/echo_core.h"
#include "schema/codec.h"

using namespace ts::cluster;
using ts::bench::EchoConfig;
using ts::bench::EchoCore;

namespace {

template <class T>
std::vector<T> OfType(const std::vector<NodeToBroker>& messages) {
  std::vector<T> found;
  for (const auto& m : messages) {
    if (std::holds_alternative<T>(m)) found.push_back(std::get<T>(m));
  }
  return found;
}

}  // namespace

TEST_CASE("echo core: registers, retries above the served term, then heartbeats as primary", "[bench][echo]") {
  EchoConfig config;
  config.id = 4;
  EchoCore core(config, Millis(0));
  std::vector<NodeToBroker> out;
  core.on_tick(Millis(0), out);
  auto registrations = OfType<Registration>(out);
  REQUIRE(registrations.size() == 1);
  CHECK(registrations[0].node == 4);
  CHECK(registrations[0].term == 1);
  auto beats = OfType<Heartbeat>(out);
  REQUIRE(beats.size() == 1);
  CHECK(beats[0].role != Role::kPrimary);
  CHECK(beats[0].term == 0);  // not the term being registered: the broker would take it as a step-down

  out.clear();
  core.on_message(RegistrationAnswer{1, false, 7, 2, "term 1 is not above served term 7"}, Millis(5), out);
  core.on_tick(Millis(50), out);
  CHECK(OfType<Registration>(out).empty());  // waits registration_retry
  core.on_tick(Millis(105), out);
  registrations = OfType<Registration>(out);
  REQUIRE(registrations.size() == 1);
  CHECK(registrations[0].term == 8);

  out.clear();
  core.on_message(RegistrationAnswer{8, true, 8, 4, ""}, Millis(110), out);
  CHECK(core.accepted());
  core.on_tick(Millis(110), out);
  beats = OfType<Heartbeat>(out);
  REQUIRE(beats.size() == 1);  // at once, so the broker sees its primary live
  CHECK(beats[0].role == Role::kPrimary);
  CHECK(beats[0].term == 8);
  CHECK(beats[0].primary_id == 4);
  CHECK(OfType<Registration>(out).empty());

  // Another primary took over: register again, above its term.
  out.clear();
  core.on_message(BrokerStatus{9, 2, true, {}}, Millis(200), out);
  CHECK_FALSE(core.accepted());
  core.on_tick(Millis(200), out);
  registrations = OfType<Registration>(out);
  REQUIRE(registrations.size() == 1);
  CHECK(registrations[0].term == 10);
}

TEST_CASE("echo core: answers every request at once with its id, and junk with an error", "[bench][echo]") {
  EchoCore core(EchoConfig{}, Millis(0));
  std::vector<NodeToBroker> out;
  ts::Request request = ts::MakePut({ts::Pair{{"a"}, {"b"}}});
  request.id = ts::RequestId{77, 5};
  core.on_message(ClientRequestFrame{ClientTag{"client-a", 9}, ts::EncodeRequest(request)}, Millis(1), out);
  core.on_message(ClientRequestFrame{ClientTag{"client-b", 10}, "not a request"}, Millis(1), out);
  auto replies = OfType<ClientReplyFrame>(out);
  REQUIRE(replies.size() == 2);
  CHECK(replies[0].client == ClientTag{"client-a", 9});
  auto decoded = ts::DecodeReply(replies[0].frame);
  REQUIRE(decoded.ok());
  CHECK(decoded.value().id == ts::RequestId{77, 5});
  CHECK(decoded.value().op_name == "PUT");
  CHECK(decoded.value().ok());
  CHECK(decoded.value().served_by == 1);
  auto junk = ts::DecodeReply(replies[1].frame);
  REQUIRE(junk.ok());
  REQUIRE(junk.value().error.has_value());
  CHECK(junk.value().error->kind == ts::ErrorKind::kMalformedRequest);
  CHECK(core.stats().answered == 2);
  CHECK(core.stats().undecodable == 1);
}
