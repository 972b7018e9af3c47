// Waiting requests on MiniCluster (a broker and three NodeCores): GET and
// TAKE with a wait, WATCH with its cursor, their bounds, and failovers.
#include <catch2/catch.hpp>

#include <string>

#include "tests/cluster/mini_cluster.h"

using namespace ts;
using namespace ts::cluster;
using namespace ts::cluster::testing;

namespace {

Request Numbered(Request request, uint64_t client, uint64_t number) {
  request.id = RequestId{client, number};
  return request;
}

Request Put(uint64_t client, uint64_t number, const std::string& key, const std::string& value = "v") {
  return Numbered(MakePut({Pair{SplitTupleText(key), SplitTupleText(value)}}), client, number);
}

Request Delete(uint64_t client, uint64_t number, const std::string& key) {
  return Numbered(MakeDelete(key, ".*"), client, number);
}

Request Take(uint64_t client, uint64_t number, const std::string& pattern, uint32_t wait_ms) {
  return Numbered(MakeTake(pattern, ".*", wait_ms), client, number);
}

Request Watch(uint64_t client, uint64_t number, const std::string& pattern, uint64_t after, uint32_t wait_ms) {
  return Numbered(MakeWatch(pattern, ".*", after, wait_ms), client, number);
}

MiniCluster Started(NodeConfig config = {}) {
  MiniCluster cluster(3, config);
  REQUIRE(cluster.RunUntil([&] { return cluster.primary() != kNoNode; }));
  cluster.Run(500);  // backups in sync, the term's no-op committed
  return cluster;
}

std::string Keys(const Reply& reply) {
  std::string text;
  for (const Pair& pair : reply.pairs) text += (text.empty() ? "" : " ") + TupleText(pair.key);
  return text;
}

std::string Changes(const Reply& reply) {
  std::string text;
  for (const Change& c : reply.changes) {
    text += (text.empty() ? "" : " ") + c.op + ":" + TupleText(c.pair.key) + "=" + TupleText(c.pair.value);
  }
  return text;
}

}  // namespace

TEST_CASE("waiting: GET --wait answers as soon as a matching pair is put, or empty at its deadline") {
  MiniCluster cluster = Started();
  Request get = Numbered(MakeGet("job,.*", ".*"), 1, 2);
  get.wait_ms = 5'000;
  cluster.SendRequest("reader", get);
  cluster.Run(300);
  CHECK(cluster.replies("reader").empty());
  CHECK(cluster.node(cluster.primary())->status(TimePoint(cluster.now())).waiting_requests == 1);
  cluster.SendRequest("writer", Put(2, 1, "other,1"));  // no match: still waiting
  cluster.Run(100);
  CHECK(cluster.replies("reader").empty());
  cluster.SendRequest("writer", Put(2, 2, "job,1"));
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("reader").empty(); }, 1'000));
  CHECK(Keys(cluster.replies("reader")[0]) == "job,1");

  Request late = Numbered(MakeGet("none", ".*"), 1, 3);
  late.wait_ms = 400;
  const int64_t sent_at = cluster.now();
  cluster.SendRequest("late", late);
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("late").empty(); }, 2'000));
  CHECK(cluster.now() - sent_at >= 400);
  CHECK(cluster.replies("late")[0].ok());
  CHECK(cluster.replies("late")[0].pairs.empty());
}

TEST_CASE("waiting: two takers share a queue, each pair taken once, the first taker first, backups alike") {
  MiniCluster cluster = Started();
  cluster.SendRequest("w1", Take(11, 1, "q,.*", 10'000));
  cluster.Run(50);
  cluster.SendRequest("w2", Take(12, 1, "q,.*", 10'000));
  cluster.Run(200);
  CHECK(cluster.replies("w1").empty());
  CHECK(cluster.replies("w2").empty());
  cluster.SendRequest("p", Put(3, 1, "q,1", "a"));
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("w1").empty(); }, 1'000));
  CHECK(Keys(cluster.replies("w1")[0]) == "q,1");
  cluster.Run(100);
  CHECK(cluster.replies("w2").empty());  // the one pair went to the first
  cluster.SendRequest("p", Put(3, 2, "q,2", "b"));
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("w2").empty(); }, 1'000));
  CHECK(Keys(cluster.replies("w2")[0]) == "q,2");
  cluster.Run(300);
  for (NodeId id : {1u, 2u, 3u}) CHECK(cluster.node(id)->space().size() == 0);  // replayed on the backups

  // A take's retry (the same id) gets the recorded answer, never a second pair.
  cluster.SendRequest("p", Put(3, 3, "q,3", "c"));
  cluster.Run(100);
  cluster.SendRequest("w1-again", Take(11, 1, "q,.*", 10'000));
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("w1-again").empty(); }, 1'000));
  CHECK(Keys(cluster.replies("w1-again")[0]) == "q,1");
  CHECK(cluster.node(cluster.primary())->space().size() == 1);
}

TEST_CASE("waiting: a take that finds nothing in time answers no pair at its deadline") {
  MiniCluster cluster = Started();
  cluster.SendRequest("w", Take(11, 1, "q,.*", 300));
  cluster.Run(200);
  CHECK(cluster.replies("w").empty());
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("w").empty(); }, 1'000));
  CHECK(cluster.replies("w")[0].ok());
  CHECK(cluster.replies("w")[0].pairs.empty());
}

TEST_CASE("waiting: a take held when the primary dies is served by the next one, once") {
  MiniCluster cluster = Started();
  cluster.SendRequest("w", Take(11, 1, "q,.*", 20'000));
  cluster.Run(100);
  const NodeId first = cluster.primary();
  cluster.Crash(first);
  REQUIRE(cluster.RunUntil([&] { return cluster.primary() != kNoNode && cluster.primary() != first; }));
  cluster.Run(500);
  cluster.SendRequest("p", Put(3, 1, "q,1"));
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("w").empty(); }, 3'000));
  CHECK(Keys(cluster.replies("w")[0]) == "q,1");
  CHECK(cluster.replies("w")[0].served_by == cluster.primary());
}

TEST_CASE("waiting: watch from now streams the committed changes that match, resumable after a failover") {
  MiniCluster cluster = Started();
  cluster.SendRequest("w", Watch(21, 1, "user,.*", 0, 10'000));
  cluster.Run(100);
  cluster.SendRequest("p", Put(3, 1, "user,1", "ann"));
  cluster.SendRequest("p2", Put(4, 1, "other,1", "x"));
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("w").empty(); }, 1'000));
  Reply first = cluster.replies("w")[0];
  CHECK(first.ok());
  CHECK(Changes(first) == "PUT:user,1=ann");
  REQUIRE(first.position >= first.changes.back().seq);

  // Changes made while no watch was out, and across a failover, come next.
  cluster.SendRequest("p", Delete(3, 2, "user,1"));
  cluster.Run(200);
  const NodeId old_primary = cluster.primary();
  cluster.Crash(old_primary);
  REQUIRE(cluster.RunUntil([&] { return cluster.primary() != kNoNode && cluster.primary() != old_primary; }));
  cluster.Run(500);
  cluster.SendRequest("p", Put(3, 3, "user,2", "bob"));
  cluster.Run(200);
  cluster.SendRequest("w2", Watch(21, 2, "user,.*", first.position, 10'000));
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("w2").empty(); }, 1'000));
  const Reply resumed = cluster.replies("w2")[0];
  CHECK(resumed.ok());
  CHECK(Changes(resumed) == "DELETE:user,1=ann PUT:user,2=bob");
  CHECK(resumed.changes[0].erased);
  CHECK(resumed.served_by == cluster.primary());

  // At the position it ended: nothing new, so it waits, then answers empty at its deadline.
  cluster.SendRequest("w3", Watch(21, 3, "user,.*", resumed.position, 300));
  cluster.Run(200);
  CHECK(cluster.replies("w3").empty());
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("w3").empty(); }, 1'000));
  CHECK(cluster.replies("w3")[0].changes.empty());
  CHECK(cluster.replies("w3")[0].position >= resumed.position);
}

TEST_CASE("waiting: a watch position older than the kept history is answered history gone, clearly") {
  NodeConfig config;
  config.watch_history_changes = 2;
  MiniCluster cluster = Started(config);
  for (uint64_t n = 1; n <= 4; ++n) cluster.SendRequest("p" + std::to_string(n), Put(3, n, "k," + std::to_string(n)));
  cluster.Run(300);
  cluster.SendRequest("w", Watch(21, 1, ".*", 1, 1'000));
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("w").empty(); }, 1'000));
  const Reply& reply = cluster.replies("w")[0];
  REQUIRE(reply.error);
  CHECK(reply.error->kind == ErrorKind::kHistoryGone);
  CHECK_THAT(reply.error->message, Catch::Contains("watch position 1 is older than the change history"));
}

TEST_CASE("waiting: bounded: a wait past the maximum, or one request too many, is refused saying why") {
  NodeConfig config;
  config.max_waiting_requests = 2;
  config.max_wait = Millis(5'000);
  MiniCluster cluster = Started(config);
  cluster.SendRequest("long", Take(1, 1, "q", 5'001));
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("long").empty(); }, 500));
  REQUIRE(cluster.replies("long")[0].error);
  CHECK(cluster.replies("long")[0].error->kind == ErrorKind::kMalformedRequest);
  CHECK_THAT(cluster.replies("long")[0].error->message,
             Catch::Contains("longer than the longest a request may wait, 5000 ms"));

  cluster.SendRequest("a", Take(2, 1, "q", 5'000));
  cluster.SendRequest("b", Watch(3, 1, "q", 0, 5'000));
  cluster.Run(50);
  cluster.SendRequest("b-retry", Watch(3, 1, "q", 0, 5'000));  // the same request: takes its own place
  cluster.SendRequest("c", Take(4, 1, "q", 5'000));
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("c").empty(); }, 500));
  REQUIRE(cluster.replies("c")[0].error);
  CHECK(cluster.replies("c")[0].error->kind == ErrorKind::kServiceRefused);
  CHECK_THAT(cluster.replies("c")[0].error->message, Catch::Contains("the most it holds (2)"));
  CHECK(cluster.replies("b-retry").empty());
  CHECK(cluster.node(cluster.primary())->status(TimePoint(cluster.now())).waiting_requests == 2);
}
