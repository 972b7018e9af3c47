// tschaos-history's pure half: the operation mix and how each kind of reply
// becomes a completion (ok with the write's verdict, fail, or unknown).
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "launcher/chaos/op_planner.h"

using namespace ts;
using namespace ts::chaos;

namespace {

HistoryEvent PutInvoke() {
  HistoryEvent invoke;
  invoke.process = 4;
  invoke.f = Fn::kPut;
  invoke.key = "k1";
  invoke.value = "v0n1";
  return invoke;
}

}  // namespace

TEST_CASE("chaos planner: a seeded mix of every operation, unique values, regexes over two keys", "[chaos]") {
  OpPlanner planner(42, 3, 4);
  OpPlanner again(42, 3, 4);
  std::map<Fn, int> counts;
  std::set<std::string> values;
  int regexes = 0;
  for (int i = 0; i < 2000; ++i) {
    HistoryEvent op = planner.Next();
    CHECK(ts::chaos::FormatEvent(op) == ts::chaos::FormatEvent(again.Next()));
    ++counts[op.f];
    if (!op.value.empty()) CHECK(values.insert(op.value).second);
    if (!op.pattern.empty()) {
      ++regexes;
      CHECK(op.keys.size() == 2);
      CHECK(op.pattern == KeysRegex({std::stoi(op.keys[0].substr(1)), std::stoi(op.keys[1].substr(1))}));
    }
  }
  CHECK(counts.size() == 4);
  CHECK(regexes > 0);
  CHECK(KeysRegex({1, 2}) == "k[12]");
  CHECK(KeysRegex({3, 12}) == "(k3|k12)");
}

TEST_CASE("chaos planner: replies become ok, fail or unknown", "[chaos]") {
  HistoryEvent invoke = PutInvoke();
  Reply inserted;
  inserted.served_by = 2;
  inserted.term = 5;
  HistoryEvent done = CompletionFor(invoke, Result<Reply>(inserted));
  CHECK(done.type == EventType::kOk);
  CHECK(done.outcome == "inserted");
  CHECK(done.node == 2);
  CHECK(done.term == 5);

  Reply present = inserted;
  present.rejected.push_back(Rejection{Pair{{"k1"}, {"v0n1"}}, RejectReason::kKeyPresent});
  CHECK(CompletionFor(invoke, Result<Reply>(present)).outcome == "key_present");

  Reply malformed = inserted;
  malformed.rejected.push_back(Rejection{Pair{{"k1"}, {"v0n1"}}, RejectReason::kMalformed});
  CHECK(CompletionFor(invoke, Result<Reply>(malformed)).type == EventType::kFail);

  Reply unavailable;  // the broker may have relayed it to a primary that then died
  unavailable.error = Error{ErrorKind::kUnavailable, "no primary within 3000 ms"};
  HistoryEvent held = CompletionFor(invoke, Result<Reply>(unavailable));
  CHECK(held.type == EventType::kUnknown);
  CHECK(held.error == "unavailable: no primary within 3000 ms");

  Reply refused;
  refused.error = Error{ErrorKind::kServiceRefused, "client limit"};
  CHECK(CompletionFor(invoke, Result<Reply>(refused)).type == EventType::kFail);

  HistoryEvent timed_out = CompletionFor(invoke, Result<Reply>(Error{ErrorKind::kUnavailable, "no reply"}));
  CHECK(timed_out.type == EventType::kUnknown);
  CHECK(timed_out.error == "no reply");

  HistoryEvent get;
  get.f = Fn::kGet;
  get.pattern = "k[12]";
  get.keys = {"k1", "k2"};
  Reply pairs;
  pairs.pairs = {Pair{{"k1"}, {"a"}}, Pair{{"k2"}, {"b"}}};
  HistoryEvent read = CompletionFor(get, Result<Reply>(pairs));
  CHECK(read.result == std::vector<KeyValue>{{"k1", "a"}, {"k2", "b"}});
  CHECK(RequestFor(get).key_pattern == "k[12]");
  CHECK(RequestFor(get).value_pattern == ".*");
}
