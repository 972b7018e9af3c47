// tschaos-check's verdicts on hand-made histories: each kind of violation it
// claims to catch (a lost write, a stale read, two primaries in a term), the
// histories it must pass (concurrent but valid, unknowns that did or did not
// happen), regex reads, and the report's window and faults.
#include <catch2/catch.hpp>

#include "launcher/chaos/checker.h"
#include "tests/chaos/history_builder.h"

using ts::chaos::ClaimsFromBrokerLog;
using ts::chaos::Fault;
using ts::chaos::Fn;
using ts::chaos::Verdict;
using ts::chaos::testing::HistoryBuilder;

namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("chaos check: an acknowledged write that a later read misses is lost", "[chaos]") {
  HistoryBuilder h;
  h.Put(0, "k1", "a", 10, 20).Get(1, "k1", std::nullopt, 30, 40);
  auto report = h.Check();
  CHECK(report.lost == 1);
  CHECK(report.linearizable == Verdict::kNotLinearizable);
  CHECK(Contains(report.details, "LOST WRITE: key k1: put of \"a\" acknowledged at h.jsonl:2, but the get at h.jsonl:3 saw no pair"));
  CHECK(report.SummaryLine() == "check: ops=2 acknowledged=2 lost=1 linearizable=no primaries_per_term<=1");
}

TEST_CASE("chaos check: a write replaced or deleted by an overlapping operation is not lost", "[chaos]") {
  HistoryBuilder deleted;
  deleted.Put(0, "k1", "a", 10, 20).Delete(1, "k1", "a", 15, 25).Get(2, "k1", std::nullopt, 30, 40);
  auto report = deleted.Check();
  CHECK(report.lost == 0);
  CHECK(report.linearizable == Verdict::kLinearizable);

  HistoryBuilder replaced;
  replaced.Put(0, "k1", "a", 10, 20).Post(1, "k1", "b", 30, 40).Get(2, "k1", "b", 50, 60);
  CHECK(replaced.Check().clean());
}

TEST_CASE("chaos check: an unknown PUT cannot explain a read that misses an acknowledged pair", "[chaos]") {
  // Found by ./run.sh chaos --unsafe (nodes in memory, every node crashed): a
  // PUT left unknown before the loss made the lost-write rule pass the key.
  HistoryBuilder h;
  h.UnknownWrite(0, Fn::kPut, "k1", "x", 5, 8).Put(1, "k1", "a", 10, 20).Get(2, "k1", std::nullopt, 30, 40);
  auto report = h.Check();
  CHECK(report.lost == 1);
  CHECK(report.linearizable == Verdict::kNotLinearizable);

  HistoryBuilder posted;  // an unknown POST may have replaced it: not counted as lost
  posted.UnknownWrite(0, Fn::kPost, "k1", "x", 5, 8).Put(1, "k1", "a", 10, 20).Get(2, "k1", "x", 30, 40);
  CHECK(posted.Check().lost == 0);
}

TEST_CASE("chaos check: a read after an acknowledged update that sees the old value is caught", "[chaos]") {
  // A deposed primary answering a read: the classic stale read.
  HistoryBuilder h;
  h.Put(0, "k1", "a", 10, 20).Post(0, "k1", "b", 30, 40).Get(1, "k1", "a", 45, 50);
  auto report = h.Check();
  CHECK(report.lost == 1);
  CHECK(report.linearizable == Verdict::kNotLinearizable);
  CHECK(Contains(report.details, "NOT LINEARIZABLE: key k1"));
}

TEST_CASE("chaos check: a stale read of an unacknowledged write is not linearizable though nothing is lost", "[chaos]") {
  // b was seen, so it took effect; a cannot come back after it.
  HistoryBuilder h;
  h.Put(0, "k1", "a", 10, 20)
      .UnknownWrite(0, Fn::kPost, "k1", "b", 30, 35)
      .Get(1, "k1", "b", 50, 60)
      .Get(1, "k1", "a", 70, 80);
  auto report = h.Check();
  CHECK(report.lost == 0);
  CHECK(report.linearizable == Verdict::kNotLinearizable);
  CHECK(report.SummaryLine() == "check: ops=4 acknowledged=3 lost=0 linearizable=no primaries_per_term<=1");
}

TEST_CASE("chaos check: concurrent operations may take effect in any order within their spans", "[chaos]") {
  HistoryBuilder h;
  h.Put(0, "k1", "a", 10, 50)
      .Get(1, "k1", "a", 20, 30)              // the put took effect by 30 ...
      .Get(2, "k1", std::nullopt, 25, 35)     // ... but after this read's start
      .Post(3, "k1", "b", 40, 60)
      .Get(1, "k1", "a", 45, 55)
      .Get(2, "k1", "b", 58, 70)
      .Put(4, "k1", "c", 65, 75, "key_present")
      .Delete(3, "k1", "b", 80, 90)
      .Post(4, "k1", "d", 85, 95, "key_absent");
  auto report = h.Check();
  CHECK(report.clean());
  CHECK(report.SummaryLine() == "check: ops=9 acknowledged=9 lost=0 linearizable=yes primaries_per_term<=1");
}

TEST_CASE("chaos check: a reply's verdict that the state cannot give is not linearizable", "[chaos]") {
  HistoryBuilder put_twice;  // two inserts of an absent key, one after the other
  put_twice.Put(0, "k1", "a", 10, 20).Put(1, "k1", "b", 30, 40);
  CHECK(put_twice.Check().linearizable == Verdict::kNotLinearizable);
  HistoryBuilder post_absent;  // an update of a key never written
  post_absent.Post(0, "k1", "a", 10, 20);
  CHECK(post_absent.Check().linearizable == Verdict::kNotLinearizable);
}

TEST_CASE("chaos check: an unknown write may take effect late or never, but not undo itself", "[chaos]") {
  HistoryBuilder happened;
  happened.UnknownWrite(0, Fn::kPut, "k1", "a", 10, 20).Get(1, "k1", "a", 100, 110);
  CHECK(happened.Check().clean());

  HistoryBuilder never;
  never.UnknownWrite(0, Fn::kPut, "k1", "a", 10, 20).Get(1, "k1", std::nullopt, 100, 110).Get(1, "k1", std::nullopt, 120, 130);
  CHECK(never.Check().clean());

  HistoryBuilder late;
  late.UnknownWrite(0, Fn::kPut, "k1", "a", 10, 20).Get(1, "k1", std::nullopt, 100, 110).Get(1, "k1", "a", 120, 130);
  CHECK(late.Check().clean());

  HistoryBuilder undone;
  undone.UnknownWrite(0, Fn::kPut, "k1", "a", 10, 20).Get(1, "k1", "a", 100, 110).Get(1, "k1", std::nullopt, 120, 130);
  CHECK(undone.Check().linearizable == Verdict::kNotLinearizable);
}

TEST_CASE("chaos check: a failed write never takes effect", "[chaos]") {
  HistoryBuilder h;
  h.Failed(0, "k1", "a", 10, 20).Get(1, "k1", "a", 30, 40);
  auto report = h.Check();
  CHECK(report.linearizable == Verdict::kNotLinearizable);
  CHECK(report.acknowledged == 1);
}

TEST_CASE("chaos check: a regex read is checked against the states of every key it covers", "[chaos]") {
  HistoryBuilder valid;
  valid.Put(0, "k1", "a", 10, 20).Put(1, "k2", "b", 10, 20).RegexGet(2, "k[12]", {"k1", "k2"}, {{"k1", "a"}, {"k2", "b"}}, 30, 40);
  CHECK(valid.Check().clean());

  HistoryBuilder missing;  // k2's acknowledged pair is not in the regex read
  missing.Put(0, "k1", "a", 10, 20).Put(1, "k2", "b", 10, 20).RegexGet(2, "k[12]", {"k1", "k2"}, {{"k1", "a"}}, 30, 40);
  auto report = missing.Check();
  CHECK(report.lost == 1);
  CHECK(Contains(report.details, "LOST WRITE: key k2"));
  CHECK(Contains(report.details, "NOT LINEARIZABLE: key k2"));
  CHECK_FALSE(Contains(report.details, "key k1"));
}

TEST_CASE("chaos check: two nodes serving one term are two primaries", "[chaos]") {
  HistoryBuilder h;
  h.ServedBy(1, 3).Put(0, "k1", "a", 10, 20).ServedBy(2, 3).Get(1, "k1", "a", 30, 40);
  auto report = h.Check();
  CHECK_FALSE(report.primaries_ok);
  CHECK(Contains(report.details, "TWO PRIMARIES: term 3 had 2 primaries: node 1 (h.jsonl:2) node 2 (h.jsonl:4)"));
  CHECK(report.SummaryLine() == "check: ops=2 acknowledged=2 lost=0 linearizable=yes primaries_per_term=VIOLATED");

  HistoryBuilder successive;  // a new term, a new primary: fine
  successive.ServedBy(1, 3).Put(0, "k1", "a", 10, 20).ServedBy(2, 4).Get(1, "k1", "a", 30, 40);
  CHECK(successive.Check().primaries_ok);
}

TEST_CASE("chaos check: the brokers' logs' primary lines are claims too", "[chaos]") {
  const std::string log_a = "[2026-12-02 01:00:00.000] [info] node 1 is primary for term 2\nnoise\n";
  const std::string log_b = "x\n[2026-12-02 01:00:01.000] [info] node 3 is primary for term 2\n"
                            "[2026-12-02 01:00:02.000] [info] node 3 is primary for term 5\n";
  auto claims = ClaimsFromBrokerLog(log_a, "broker-1.log");
  auto more = ClaimsFromBrokerLog(log_b, "broker-2.log");
  REQUIRE(claims.size() == 1);
  REQUIRE(more.size() == 2);
  CHECK(more[0].source == "broker-2.log:2");
  claims.insert(claims.end(), more.begin(), more.end());
  HistoryBuilder h;
  h.ServedBy(3, 5).Put(0, "k1", "a", 10, 20);
  auto report = h.Check(claims);
  CHECK_FALSE(report.primaries_ok);
  CHECK(Contains(report.details, "term 2 had 2 primaries: node 1 (broker-1.log:1) node 3 (broker-2.log:2)"));
  CHECK_FALSE(Contains(report.details, "term 5"));
}

TEST_CASE("chaos check: a violation prints a small window and the faults overlapping it", "[chaos]") {
  HistoryBuilder h;
  int64_t t = 0;
  for (int i = 0; i < 100; ++i) {  // a long valid run first
    h.Put(0, "k1", "v" + std::to_string(i), t, t + 5).Delete(0, "k1", "v" + std::to_string(i), t + 6, t + 9);
    t += 10;
  }
  h.Put(0, "k1", "x", t, t + 5).Get(1, "k1", "stale", t + 10, t + 15);  // a value nobody wrote since
  std::vector<Fault> faults = {{t - 2, t + 3, R"({"start_ns":1,"description":"partition primary"})"},
                               {0, 50, R"({"start_ns":0,"description":"early kill"})"}};
  auto report = h.Check({}, faults);
  CHECK(report.linearizable == Verdict::kNotLinearizable);
  CHECK(Contains(report.details, "smallest failing window, 2 operations"));
  CHECK(Contains(report.details, "partition primary"));
  CHECK_FALSE(Contains(report.details, "early kill"));
}

TEST_CASE("chaos check: a search past its state budget says unknown, not yes", "[chaos]") {
  HistoryBuilder h;
  h.Put(0, "k1", "a", 10, 50).Get(1, "k1", "a", 20, 30).Get(2, "k1", std::nullopt, 25, 35).Post(3, "k1", "b", 40, 60);
  ts::chaos::CheckInputs inputs;
  inputs.history = h.Parse();
  inputs.history_name = "h.jsonl";
  inputs.max_states = 2;
  auto report = ts::chaos::RunCheck(inputs);
  CHECK(report.linearizable == Verdict::kGaveUp);
  CHECK_FALSE(report.clean());
  CHECK(Contains(report.details, "GAVE UP: key k1: the search passed 2 states over 4 operations"));
  CHECK(report.SummaryLine() == "check: ops=4 acknowledged=4 lost=0 linearizable=unknown primaries_per_term<=1");
}
