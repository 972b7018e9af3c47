// ChangeHistory: WATCH's record of single-pair changes by log seq.
#include <catch2/catch.hpp>

#include "nodes/cluster/change_history.h"

using namespace ts;
using namespace ts::cluster;

namespace {

LogEntry Entry(uint64_t seq, WriteEffect effect, std::string op = "", bool error = false) {
  LogEntry entry;
  entry.position = LogPosition{1, seq};
  entry.effect = std::move(effect);
  if (!op.empty()) {
    Reply reply;
    reply.op_name = op;
    if (error) reply.error = Error{ErrorKind::kNotEnoughReplicas, "undone"};
    entry.reply = reply;
  }
  return entry;
}

std::vector<std::string> All(const ChangeHistory& history, uint64_t after, uint64_t through, size_t max = 100) {
  std::vector<const PairChange*> found;
  history.Collect(after, through, max, [](const PairChange&) { return true; }, found);
  std::vector<std::string> texts;
  for (const PairChange* c : found) {
    texts.push_back(std::to_string(c->seq) + " " + c->op + " " + c->key_text + "=" + c->value_text);
  }
  return texts;
}

}  // namespace

TEST_CASE("change history: names each change's op from the entry alone, erased pairs with their values") {
  ChangeHistory history;
  history.Reset(4);
  history.Add(Entry(5, WriteEffect{{{"a", "1"}}, {}}, "PUT"), {});
  history.Add(Entry(6, WriteEffect{{}, {"a"}}, "TAKE"), {"1"});
  history.Add(Entry(7, WriteEffect{{{"b", "2"}}, {}}), {});         // anonymous: by what it did
  history.Add(Entry(8, WriteEffect{{}, {"b"}}), {"2"});
  history.Add(Entry(9, WriteEffect{{{"b", "2"}}, {}}, "DELETE", true), {});  // an undo
  CHECK(All(history, 4, 9) ==
        std::vector<std::string>{"5 PUT a=1", "6 TAKE a=1", "7 PUT b=2", "8 DELETE b=2", "9 UNDO b=2"});
  CHECK(All(history, 6, 8) == std::vector<std::string>{"7 PUT b=2", "8 DELETE b=2"});
  CHECK(history.Covers(4));
  CHECK_FALSE(history.Covers(3));
  CHECK(history.last() == 9);
}

TEST_CASE("change history: bounded, the oldest seqs go whole and the base says from where it covers") {
  ChangeHistory history(3, 1u << 20);
  history.Reset(0);
  history.Add(Entry(1, WriteEffect{{{"a", "1"}, {"b", "1"}}, {}}), {});
  history.Add(Entry(2, WriteEffect{{{"c", "1"}}, {}}), {});
  CHECK(history.base() == 0);
  history.Add(Entry(3, WriteEffect{{{"d", "1"}}, {}}), {});
  CHECK(history.size() == 2);  // seq 1 went with both its changes
  CHECK(history.base() == 1);
  CHECK_FALSE(history.Covers(0));
  CHECK(All(history, 1, 3) == std::vector<std::string>{"2 PUT c=1", "3 PUT d=1"});
}

TEST_CASE("change history: a reply cut at its size never splits a seq, and says where it stopped") {
  ChangeHistory history;
  history.Reset(0);
  history.Add(Entry(1, WriteEffect{{{"a", "1"}, {"b", "1"}}, {}}), {});
  history.Add(Entry(2, WriteEffect{{{"c", "1"}}, {}}), {});
  std::vector<const PairChange*> found;
  const uint64_t through = history.Collect(0, 2, 1, [](const PairChange&) { return true; }, found);
  CHECK(found.size() == 2);  // both of seq 1
  CHECK(through == 1);
  found.clear();
  CHECK(history.Collect(0, 2, 1, [](const PairChange& c) { return c.key_text == "c"; }, found) == 2);
  CHECK(found.size() == 1);
}
