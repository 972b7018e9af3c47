// TAKE (Linda's `in`) on ts::TupleSpace, and the pattern check WATCH uses.
#include <catch2/catch.hpp>

#include "nodes/space/space.h"

using namespace ts;

namespace {

Pair P(std::string_view key, std::string_view value) { return Pair{SplitTupleText(key), SplitTupleText(value)}; }

void Fill(TupleSpace& space, std::initializer_list<Pair> pairs) {
  REQUIRE(space.Execute(MakePut(pairs)).rejected.empty());
}

}  // namespace

TEST_CASE("TAKE removes and answers the first matching pair in key order, and only it", "[space]") {
  TupleSpace space;
  Fill(space, {P("job,3", "c"), P("job,1", "a"), P("job,2", "b"), P("other,1", "a")});
  WriteEffect effect;
  Reply reply = space.Execute(MakeTake("job,.*", ".*"), &effect);
  REQUIRE(reply.ok());
  REQUIRE(reply.pairs.size() == 1);
  CHECK(TupleText(reply.pairs[0].key) == "job,1");
  CHECK(TupleText(reply.pairs[0].value) == "a");
  CHECK(effect.erased_keys == std::vector<std::string>{"job,1"});
  CHECK(effect.upserts.empty());
  CHECK(space.size() == 3);
  CHECK(space.pairs().find("job,1") == space.pairs().end());

  // The value pattern counts too: the first job whose value is c.
  reply = space.Execute(MakeTake("job,.*", "c"), &effect);
  REQUIRE(reply.pairs.size() == 1);
  CHECK(TupleText(reply.pairs[0].key) == "job,3");
}

TEST_CASE("TAKE of nothing answers no pair and changes nothing", "[space]") {
  TupleSpace space;
  Fill(space, {P("a", "1")});
  WriteEffect effect;
  Reply reply = space.Execute(MakeTake("b", ".*"), &effect);
  CHECK(reply.ok());
  CHECK(reply.pairs.empty());
  CHECK(effect.empty());
  CHECK(space.size() == 1);
}

TEST_CASE("TAKE's effect replayed on another space removes the same pair", "[space]") {
  TupleSpace primary;
  TupleSpace backup;
  for (TupleSpace* space : {&primary, &backup}) Fill(*space, {P("q,2", "x"), P("q,1", "x")});
  WriteEffect effect;
  primary.Execute(MakeTake("q,.*", "x"), &effect);
  backup.ApplyEffect(effect);
  CHECK(backup.pairs().find("q,1") == backup.pairs().end());
  CHECK(backup.size() == 1);
}

TEST_CASE("TAKE with a malformed pattern or an after key fails whole, naming why", "[space]") {
  TupleSpace space;
  Fill(space, {P("a", "1")});
  Reply bad = space.Execute(MakeTake("(", ".*"));
  REQUIRE(bad.error);
  CHECK(bad.error->kind == ErrorKind::kMalformedPattern);
  CHECK_THAT(bad.error->message, Catch::Contains("key pattern"));
  Request paged = MakeTake(".*", ".*");
  paged.after_key.assign(1, 'a');  // not = "a": GCC 12 warns falsely (-Wrestrict) there
  Reply refused = space.Execute(paged);
  REQUIRE(refused.error);
  CHECK(refused.error->kind == ErrorKind::kMalformedRequest);
  CHECK(space.size() == 1);
}

TEST_CASE("PairMatches judges one pair as GET would, CheckPatterns names a malformed one", "[space]") {
  TupleSpace space;
  Request watch = MakeWatch("user,.*", "ann|bob", 0, 0);
  CHECK(space.PairMatches(watch, "user,1", "ann").value());
  CHECK_FALSE(space.PairMatches(watch, "user,1", "cat").value());
  CHECK_FALSE(space.PairMatches(watch, "admin,1", "ann").value());
  CHECK(space.CheckPatterns(watch).ok());
  Status bad = space.CheckPatterns(MakeWatch(".*", "[", 0, 0));
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("value pattern"));
}
