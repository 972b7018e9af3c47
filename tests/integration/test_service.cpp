// The service through the real broker and nodes: the four operations and
// their rejections, unknown operations, malformed frames, and the broker's
// client limit. Each test starts its own cluster on free ports.
#include <catch2/catch.hpp>

#include "schema/codec.h"
#include "tests/integration/require.h"

namespace ts::itest {
namespace {

using testing::WaitUntil;

Pair P(Tuple key, Tuple value) { return Pair{std::move(key), std::move(value)}; }

// The reply, REQUIREd to have come back.
Reply Must(Result<Reply> reply) {
  INFO((reply.ok() ? "" : reply.error().message));
  REQUIRE(reply.ok());
  return std::move(reply).value();
}

std::string ErrorText(const Reply& reply) {
  return reply.error ? std::string(ErrorKindName(reply.error->kind)) + ": " + reply.error->message : "none";
}

std::vector<std::string> Texts(const std::vector<Pair>& pairs) {
  std::vector<std::string> texts;
  for (const Pair& pair : pairs) texts.push_back(TupleText(pair.key) + "=" + TupleText(pair.value));
  return texts;
}

}  // namespace

TEST_CASE("integration: the four operations through the broker", "[integration]") {
  Cluster cluster;
  RequireStarted(cluster);
  Client client = cluster.NewClient();

  // PUT: inserts fresh keys; rejects malformed pairs and keys repeated in the request.
  Reply put = Must(client.Put({P({"user", "1"}, {"ann"}), P({"user", "2"}, {"bob"}),
                               P({"user", "x-y"}, {"bad"}), P({"user", "1"}, {"again"}),
                               P({"user", "3"}, {})}));
  INFO(ErrorText(put));
  REQUIRE(put.ok());
  CHECK(put.served_by != 0);
  CHECK(put.term >= 1);
  REQUIRE(put.rejected.size() == 3);
  CHECK(put.rejected[0].reason == RejectReason::kMalformed);
  CHECK(TupleText(put.rejected[0].pair.key) == "user,x-y");
  CHECK(put.rejected[1].reason == RejectReason::kRepeatedInRequest);
  CHECK(TupleText(put.rejected[1].pair.value) == "again");
  CHECK(put.rejected[2].reason == RejectReason::kMalformed);

  Reply put_again = Must(client.Put({P({"user", "1"}, {"carl"}), P({"user", "4"}, {"dan"})}));
  REQUIRE(put_again.ok());
  REQUIRE(put_again.rejected.size() == 1);
  CHECK(put_again.rejected[0].reason == RejectReason::kKeyPresent);
  CHECK(TupleText(put_again.rejected[0].pair.key) == "user,1");

  // POST: updates present keys only.
  Reply post = Must(client.Post({P({"user", "2"}, {"bobby", "jr"}), P({"user", "9"}, {"nobody"})}));
  REQUIRE(post.ok());
  REQUIRE(post.rejected.size() == 1);
  CHECK(post.rejected[0].reason == RejectReason::kKeyAbsent);
  CHECK(TupleText(post.rejected[0].pair.key) == "user,9");

  // GET with Python-re patterns; results in key-text order.
  Reply all = Must(client.Get("user,.*", ".*"));
  REQUIRE(all.ok());
  CHECK(Texts(all.pairs) == std::vector<std::string>{"user,1=ann", "user,2=bobby,jr", "user,4=dan"});
  Reply named = Must(client.Get(R"(user,(?P<n>[0-9])(?<!4))", R"(\w+(,jr)?)"));
  REQUIRE(named.ok());
  CHECK(Texts(named.pairs) == std::vector<std::string>{"user,1=ann", "user,2=bobby,jr"});
  Reply none = Must(client.Get("nobody,.*", ".*"));
  CHECK(none.ok());
  CHECK(none.pairs.empty());

  // DELETE returns what it removed.
  Reply removed = Must(client.Delete(R"(user,[12])", "ann|carl"));
  REQUIRE(removed.ok());
  CHECK(Texts(removed.pairs) == std::vector<std::string>{"user,1=ann"});
  CHECK(Texts(Must(client.Get(".*", ".*")).pairs) == std::vector<std::string>{"user,2=bobby,jr", "user,4=dan"});

  // A malformed pattern: empty list and a reason, for GET and DELETE alike.
  for (Reply bad : {Must(client.Get("user,(", ".*")), Must(client.Delete(".*", "[a-"))}) {
    INFO(ErrorText(bad));
    REQUIRE(bad.error.has_value());
    CHECK(bad.error->kind == ErrorKind::kMalformedPattern);
    CHECK_FALSE(bad.error->message.empty());
    CHECK(bad.pairs.empty());
  }
  CHECK(Must(client.Get(".*", ".*")).pairs.size() == 2);  // the bad DELETE removed nothing

  // Unknown operations (names are exact and upper case): not implemented, named.
  for (std::string op : {"FROB", "get"}) {
    Request request;
    request.op_name = op;
    Reply unknown = Must(client.Call(request));
    INFO(ErrorText(unknown));
    REQUIRE(unknown.error.has_value());
    CHECK(unknown.error->kind == ErrorKind::kNotImplemented);
    CHECK(unknown.error->message.find(op) != std::string::npos);
    CHECK(unknown.op_name == op);
  }
  CHECK(Must(client.Get(".*", ".*")).pairs.size() == 2);
}

TEST_CASE("integration: malformed frames are answered and service continues", "[integration]") {
  Cluster cluster;
  RequireStarted(cluster);
  Client good = cluster.NewClient();
  Client bad = cluster.NewClient();
  REQUIRE(Must(good.Put({P({"k", "1"}, {"v"})})).ok());

  Request put = MakePut({P({"k", "2"}, {"w"}), P({"k", "3"}, {"x"})});
  put.id = RequestId{77, 1};
  const std::string valid = EncodeRequest(put);
  Reply a_reply;
  a_reply.op_name = "GET";
  const std::vector<std::pair<std::string, std::string>> frames = {
      {"garbage text", "hello, tuplestar"},
      {"empty frame", ""},
      {"zero words", std::string(16, '\0')},
      {"truncated request", valid.substr(0, valid.size() / 2)},
      {"request minus its last word", valid.substr(0, valid.size() - 8)},
      {"a reply sent as a request", EncodeReply(a_reply)},
  };
  for (const auto& [name, bytes] : frames) {
    INFO("frame: " << name);
    Result<RawReply> raw = bad.SendRaw(bytes);
    INFO((raw.ok() ? raw.value().decode_error : raw.error().message));
    REQUIRE(raw.ok());
    REQUIRE(raw.value().decoded.has_value());
    const Reply& reply = *raw.value().decoded;
    REQUIRE(reply.error.has_value());
    CHECK(reply.error->kind == ErrorKind::kMalformedRequest);
    CHECK_FALSE(reply.error->message.empty());

    // The other client, and the sender itself, are served as usual.
    Reply served = Must(good.Get("k,.*", ".*"));
    CHECK(served.ok());
    CHECK(served.pairs.size() == 1);
    CHECK(Must(bad.Get("k,1", "v")).pairs.size() == 1);
  }
  // Nothing of the truncated PUT was applied.
  CHECK(Texts(Must(good.Get(".*", ".*")).pairs) == std::vector<std::string>{"k,1=v"});
}

TEST_CASE("integration: the broker's client limit", "[integration]") {
  ClusterOptions options;
  options.max_clients = 2;
  options.client_idle = Millis(1'500);
  options.node_count = 2;
  Cluster cluster(options);
  RequireStarted(cluster);
  // Start()'s probing client may hold a slot until it idles out: knock until
  // both clients are in (a refused request takes no slot).
  Client first = cluster.NewClient();
  Client second = cluster.NewClient();
  REQUIRE(WaitUntil(
      [&] {
        Result<Reply> one = first.Get(".*", ".*");
        Result<Reply> two = second.Get(".*", ".*");
        return one.ok() && one.value().ok() && two.ok() && two.value().ok();
      },
      Millis(15'000)));

  Client third = cluster.NewClient();
  Reply refused = Must(third.Get(".*", ".*"));
  INFO(ErrorText(refused));
  REQUIRE(refused.error.has_value());
  CHECK(refused.error->kind == ErrorKind::kServiceRefused);
  CHECK(refused.served_by == 0);

  // The first two keep working.
  CHECK(Must(first.Put({P({"a"}, {"1"})})).ok());
  CHECK(Must(second.Get("a", "1")).pairs.size() == 1);

  // The first leaves (closes its socket); its slot frees while the second stays busy.
  first.Disconnect();
  Client fourth = cluster.NewClient();
  bool second_ok = true;
  bool fourth_in = WaitUntil(
      [&] {
        Result<Reply> busy = second.Get("a", ".*");
        second_ok = second_ok && busy.ok() && busy.value().ok();
        Result<Reply> knock = fourth.Get("a", ".*");
        return knock.ok() && knock.value().ok();
      },
      Millis(15'000));
  CHECK(second_ok);
  REQUIRE(fourth_in);

  // The slots are full again: second and fourth.
  CHECK(Must(second.Get("a", ".*")).ok());
  Client fifth = cluster.NewClient();
  Reply refused_again = Must(fifth.Get(".*", ".*"));
  REQUIRE(refused_again.error.has_value());
  CHECK(refused_again.error->kind == ErrorKind::kServiceRefused);

  // A client that stays connected but idle past --client-idle-ms loses its
  // slot too: the fifth gets in while the fourth keeps busy.
  bool fourth_ok = true;
  bool fifth_in = WaitUntil(
      [&] {
        Result<Reply> busy = fourth.Get("a", ".*");
        fourth_ok = fourth_ok && busy.ok() && busy.value().ok();
        Result<Reply> knock = fifth.Get("a", ".*");
        return knock.ok() && knock.value().ok();
      },
      Millis(15'000));
  CHECK(fourth_ok);
  REQUIRE(fifth_in);
  // The idle one comes back to full slots.
  Reply refused_idle = Must(second.Get(".*", ".*"));
  REQUIRE(refused_idle.error.has_value());
  CHECK(refused_idle.error->kind == ErrorKind::kServiceRefused);
}

}  // namespace ts::itest
