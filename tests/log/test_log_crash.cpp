// The log through power cuts: random appends, term changes, votes, syncs,
// segment rolls and snapshots on the in-memory disk, a crash, recovery, and
// again. After every crash the log must open (a crash only ever leaves a
// damaged tail), hold everything synced before it, and be exactly a prefix of
// what was written: the same entries, a state the writer passed through, and
// the space those entries make.
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "log_test_support.h"

using namespace ts;
using namespace ts::wal;
using namespace ts::wal::testing;

namespace {

using Space = std::map<std::string, std::string>;

void ApplyEffect(const LogEntry& entry, Space& space) {
  for (const auto& [key, value] : entry.effect.upserts) space[key] = value;
  for (const std::string& key : entry.effect.erased_keys) space.erase(key);
}

// What the test wrote, to check what recovery gives back against.
struct History {
  std::vector<LogEntry> entries;  // entries[i] is at seq i + 1
  std::vector<LogState> states;   // the writer's state after each record, from the open on
  size_t durable = 0;             // states[durable] and before survive any crash

  Space SpaceAt(uint64_t seq) const {
    Space space;
    for (uint64_t i = 0; i < seq; ++i) ApplyEffect(entries[i], space);
    return space;
  }
};

// One random step on the writer; keeps `history` in step with what it wrote.
void RandomStep(std::mt19937_64& random, LogWriter& writer, History& history) {
  const LogState& state = writer.state();
  const uint64_t roll = random() % 100;
  if (roll < 55) {
    const uint64_t term = std::max(state.last.term, roll < 5 ? state.term : state.last.term);
    const uint64_t count = 1 + random() % 4;
    const std::vector<LogEntry> batch = MakeEntries(std::max<uint64_t>(term, 1), state.last.seq + 1, state.last.seq + count);
    REQUIRE(writer.Append(batch).ok());
    history.entries.insert(history.entries.end(), batch.begin(), batch.end());
  } else if (roll < 62) {
    REQUIRE(writer.AppendTerm(state.term + 1).ok());
  } else if (roll < 70) {
    const uint64_t term = state.voted_for == cluster::kNoNode ? state.term : state.term + 1;
    REQUIRE(writer.AppendVote(term, static_cast<NodeId>(1 + random() % 3)).ok());
  } else if (roll < 95) {
    REQUIRE(writer.Sync().ok());
    history.durable = history.states.size() - 1;
    return;
  } else {
    const Space space = history.SpaceAt(state.last.seq);
    REQUIRE(writer.WriteSnapshot([&](SnapshotWriter& snapshot) {
      for (const auto& [key, value] : space) {
        if (Status s = snapshot.AddPair(key, value); !s.ok()) return s;
      }
      return snapshot.AddClient(MakeClientRow(7, state.last.seq, state.last.seq));
    }).ok());
    history.durable = history.states.size() - 1;  // the roll synced everything before it
    return;
  }
  history.states.push_back(writer.state());
}

}  // namespace

TEST_CASE("log crashes: every crash leaves a log that opens, holds every synced record, and is a prefix",
          "[log][crash]") {
  const LogOptions small{.segment_bytes = 700, .snapshot_chunk_bytes = 200};
  uint64_t repairs = 0;
  uint64_t lost_unsynced = 0;
  uint64_t snapshots_recovered = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    std::mt19937_64 random(seed);
    MemoryStorage disk;
    History history;
    history.states.push_back(LogState{});
    for (int life = 0; life < 4; ++life) {
      INFO("seed " << seed << ", life " << life);
      auto opened = OpenLog(disk, "n", small);
      INFO((opened.ok() ? "" : opened.error().message));
      REQUIRE(opened.ok());
      const RecoveredLog& recovered = opened.value().recovered;
      repairs += recovered.repair ? 1 : 0;
      snapshots_recovered += recovered.snapshot ? 1 : 0;

      // A state the writer passed through, no earlier than the last sync.
      const auto found = std::find(history.states.begin(), history.states.end(), recovered.state);
      REQUIRE(found != history.states.end());
      const size_t index = static_cast<size_t>(found - history.states.begin());
      REQUIRE(index >= history.durable);
      lost_unsynced += history.states.size() - 1 - index;

      // Exactly the entries written up to there, and the space they make.
      const uint64_t last = recovered.state.last.seq;
      const uint64_t base = recovered.snapshot ? recovered.snapshot->header.at.seq : 0;
      REQUIRE(last <= history.entries.size());
      RequireSameEntries(recovered.entries, std::vector<LogEntry>(history.entries.begin() + static_cast<std::ptrdiff_t>(base),
                                                                  history.entries.begin() + static_cast<std::ptrdiff_t>(last)));
      Space space;
      if (recovered.snapshot) {
        for (const auto& [key, value] : recovered.snapshot->pairs) space[key] = value;
        REQUIRE(recovered.snapshot->clients.size() == 1);
      }
      for (const LogEntry& entry : recovered.entries) ApplyEffect(entry, space);
      REQUIRE(space == history.SpaceAt(last));

      // Carry on from what survived.
      history.entries.resize(last);
      history.states.resize(index + 1);
      history.durable = index;
      for (int step = 0; step < 60; ++step) RandomStep(random, *opened.value().writer, history);
      disk.Crash(seed * 31 + static_cast<uint64_t>(life));
    }
  }
  // The runs did meet what they are about.
  CHECK(repairs > 50);
  CHECK(lost_unsynced > 50);
  CHECK(snapshots_recovered > 50);
}
