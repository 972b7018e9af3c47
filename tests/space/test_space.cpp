// SPEC section 1, rule by rule, on ts::TupleSpace.
#include <catch2/catch.hpp>

#include "nodes/space/space.h"

using namespace ts;

namespace {

Pair P(std::string_view key, std::string_view value) {
  return Pair{SplitTupleText(key), SplitTupleText(value)};
}

std::vector<std::string> Texts(const std::vector<Pair>& pairs) {
  std::vector<std::string> texts;
  for (const Pair& pair : pairs) texts.push_back(TupleText(pair.key) + "=" + TupleText(pair.value));
  return texts;
}

std::vector<std::string> Reasons(const std::vector<Rejection>& rejected) {
  std::vector<std::string> reasons;
  for (const Rejection& r : rejected) {
    reasons.push_back(TupleText(r.pair.key) + ":" + std::string(RejectReasonName(r.reason)));
  }
  return reasons;
}

void Fill(TupleSpace& space, std::initializer_list<Pair> pairs) {
  Reply reply = space.Execute(MakePut(pairs));
  REQUIRE(reply.ok());
  REQUIRE(reply.rejected.empty());
}

}  // namespace

TEST_CASE("PUT adds new pairs and lists every pair not added with why", "[space]") {
  TupleSpace space;
  Fill(space, {P("user,1", "ann")});
  Reply reply = space.Execute(MakePut({
      P("user,2", "bob"),        // added
      P("user,1", "zed"),        // key present
      P("user,3", "cat"),        // added
      P("user,3", "dog"),        // repeated in this request
      P("us er", "x"),           // malformed key
      P("user,4", "a,,b"),       // malformed value (empty element)
      Pair{{}, {"v"}},           // malformed: empty tuple
  }));
  REQUIRE(reply.ok());
  CHECK(Reasons(reply.rejected) == std::vector<std::string>{
      "user,1:key_present", "user,3:repeated_in_request", "us er:malformed", "user,4:malformed",
      ":malformed"});
  CHECK(Texts(space.Execute(MakeGet(".*", ".*")).pairs) ==
        std::vector<std::string>{"user,1=ann", "user,2=bob", "user,3=cat"});
}

TEST_CASE("PUT echoes the request id and op name", "[space]") {
  TupleSpace space;
  Request request = MakePut({P("a", "b")});
  request.id = RequestId{7, 9};
  Reply reply = space.Execute(request);
  CHECK(reply.id == RequestId{7, 9});
  CHECK(reply.op_name == "PUT");
}

TEST_CASE("POST updates only present keys", "[space]") {
  TupleSpace space;
  Fill(space, {P("k,1", "old"), P("k,2", "old")});
  WriteEffect effect;
  Reply reply = space.Execute(MakePost({P("k,1", "new"), P("k,9", "x"), P("k,1", "again"),
                                        P("k,2", "b!")}),
                              &effect);
  REQUIRE(reply.ok());
  CHECK(Reasons(reply.rejected) ==
        std::vector<std::string>{"k,9:key_absent", "k,1:repeated_in_request", "k,2:malformed"});
  CHECK(Texts(space.Execute(MakeGet(".*", ".*")).pairs) ==
        std::vector<std::string>{"k,1=new", "k,2=old"});
  CHECK(effect.upserts == std::vector<std::pair<std::string, std::string>>{{"k,1", "new"}});
}

TEST_CASE("GET returns matching pairs in key-text order with fullmatch semantics", "[space]") {
  TupleSpace space;
  Fill(space, {P("b,2", "x"), P("a,10", "y"), P("a,1", "xy"), P("c", "x")});
  CHECK(Texts(space.Execute(MakeGet("a,\\d+", ".*")).pairs) ==
        std::vector<std::string>{"a,1=xy", "a,10=y"});
  CHECK(Texts(space.Execute(MakeGet(".*", "x")).pairs) ==
        std::vector<std::string>{"b,2=x", "c=x"});
  // fullmatch, not search: "a" alone does not match "a,1".
  CHECK(space.Execute(MakeGet("a", ".*")).pairs.empty());
  CHECK(Texts(space.Execute(MakeGet("(?P<letter>[a-c]),(?P=letter)?\\d*", "x")).pairs) ==
        std::vector<std::string>{"b,2=x"});
}

TEST_CASE("GET and DELETE with a malformed pattern answer an empty list and why", "[space]") {
  TupleSpace space;
  Fill(space, {P("a", "b")});
  for (const char* op : {"GET", "DELETE"}) {
    Request request = MakeGet("a(", ".*");
    request.op_name = op;
    Reply reply = space.Execute(request);
    CHECK(reply.pairs.empty());
    REQUIRE(reply.error.has_value());
    CHECK(reply.error->kind == ErrorKind::kMalformedPattern);
    CHECK_THAT(reply.error->message, Catch::StartsWith("key pattern"));

    request.key_pattern = ".*";
    request.value_pattern = "x{2,1}";
    reply = space.Execute(request);
    REQUIRE(reply.error.has_value());
    CHECK(reply.error->kind == ErrorKind::kMalformedPattern);
    CHECK_THAT(reply.error->message, Catch::StartsWith("value pattern"));
  }
  CHECK(space.size() == 1);
}

TEST_CASE("DELETE removes every matching pair and returns them", "[space]") {
  TupleSpace space;
  Fill(space, {P("t,1", "a"), P("t,2", "b"), P("t,3", "a"), P("u,1", "a")});
  WriteEffect effect;
  Reply reply = space.Execute(MakeDelete("t,.*", "a"), &effect);
  REQUIRE(reply.ok());
  CHECK(Texts(reply.pairs) == std::vector<std::string>{"t,1=a", "t,3=a"});
  CHECK(effect.erased_keys == std::vector<std::string>{"t,1", "t,3"});
  CHECK(Texts(space.Execute(MakeGet(".*", ".*")).pairs) ==
        std::vector<std::string>{"t,2=b", "u,1=a"});
  CHECK(space.Execute(MakeDelete("t,.*", "a")).pairs.empty());
}

TEST_CASE("a too costly pattern is an error for that request only, and DELETE removes nothing",
          "[space]") {
  TupleSpace space;
  Fill(space, {P(std::string(28, 'a'), "v"), P("b", "v")});
  space.Upsert(std::string(28, 'a') + "b", "v");
  Reply reply = space.Execute(MakeDelete("(a+)+$", ".*"));
  REQUIRE(reply.error.has_value());
  CHECK(reply.error->kind == ErrorKind::kPatternTooCostly);
  CHECK(reply.pairs.empty());
  CHECK(space.size() == 3);
  CHECK(space.Execute(MakeGet("b", ".*")).pairs.size() == 1);
}

TEST_CASE("an unknown operation is not implemented, and named", "[space]") {
  TupleSpace space;
  Request request;
  request.op_name = "FROB";
  Reply reply = space.Execute(request);
  REQUIRE(reply.error.has_value());
  CHECK(reply.error->kind == ErrorKind::kNotImplemented);
  CHECK_THAT(reply.error->message, Catch::Contains("'FROB'"));
  CHECK(reply.op_name == "FROB");
}

TEST_CASE("a malformed pair list is an error saying so, and stores nothing", "[space]") {
  TupleSpace space;
  Request request = MakePut({P("a", "b")});
  request.pair_list_error = "pair 2 has no value";
  Reply reply = space.Execute(request);
  REQUIRE(reply.error.has_value());
  CHECK(reply.error->kind == ErrorKind::kMalformedRequest);
  CHECK_THAT(reply.error->message, Catch::Contains("pair 2 has no value"));
  CHECK(space.size() == 0);
}

TEST_CASE("every limit gives a clear error and loses nothing", "[space][limits]") {
  SpaceLimits limits;
  limits.max_elements_per_tuple = 3;
  limits.max_element_bytes = 4;
  limits.max_pairs_per_request = 2;
  limits.max_pairs_per_reply = 2;
  TupleSpace space(limits);
  REQUIRE(space.Execute(MakePut({P("a", "1"), P("b", "1")})).rejected.empty());

  SECTION("elements per tuple") {
    Reply reply = space.Execute(MakePut({P("c,d,e,f", "1")}));
    CHECK(Reasons(reply.rejected) == std::vector<std::string>{"c,d,e,f:too_large"});
  }
  SECTION("bytes per element") {
    Reply reply = space.Execute(MakePut({P("c", "12345")}));
    CHECK(Reasons(reply.rejected) == std::vector<std::string>{"c:too_large"});
  }
  SECTION("pairs per request") {
    Reply reply = space.Execute(MakePut({P("c", "1"), P("d", "1"), P("e", "1")}));
    REQUIRE(reply.error.has_value());
    CHECK(reply.error->kind == ErrorKind::kTooLarge);
    CHECK_THAT(reply.error->message, Catch::Contains("limit is 2"));
  }
  SECTION("pairs per reply") {
    REQUIRE(space.Execute(MakePost({P("a", "2")})).rejected.empty());
    space.Upsert("c", "1");
    Reply reply = space.Execute(MakeDelete(".*", ".*"));
    REQUIRE(reply.error.has_value());
    CHECK(reply.error->kind == ErrorKind::kTooLarge);
    CHECK(reply.pairs.empty());
  }
  SECTION("pattern bytes") {
    Reply reply = space.Execute(MakeGet(std::string(limits.pattern.max_pattern_bytes + 1, 'a'), ".*"));
    REQUIRE(reply.error.has_value());
    CHECK(reply.error->kind == ErrorKind::kTooLarge);
  }
  CHECK(space.Execute(MakeGet("[ab]", ".*")).pairs.size() == 2);
}

TEST_CASE("a literal-prefix key pattern scans only its key range", "[space]") {
  TupleSpace space;
  for (int i = 0; i < 1000; ++i) {
    space.Upsert("other," + std::to_string(i), "v");
    space.Upsert("user," + std::to_string(i), "v");
  }
  Reply reply = space.Execute(MakeGet("user,1\\d", ".*"));
  CHECK(reply.pairs.size() == 10);
  CHECK(space.last_scan_count() == 111);  // user,1 user,10..19 user,100..199
  reply = space.Execute(MakeGet("user,1\\d|other,5", ".*"));  // alternation: full scan
  CHECK(reply.pairs.size() == 11);
  CHECK(space.last_scan_count() == 2000);
}

TEST_CASE("effects replayed on another space reproduce it exactly", "[space]") {
  TupleSpace primary, backup;
  std::vector<Request> writes = {
      MakePut({P("a,1", "x"), P("a,2", "y"), P("b,1", "z")}),
      MakePost({P("a,1", "w"), P("q", "q")}),
      MakeDelete("a,.*", "y"),
      MakePut({P("a,2", "again")}),
  };
  for (const Request& write : writes) {
    WriteEffect effect;
    primary.Execute(write, &effect);
    backup.ApplyEffect(effect);
  }
  CHECK(primary.pairs() == backup.pairs());
  CHECK(primary.size() == 3);
}

TEST_CASE("a plain-text key pattern is one lookup, never a compile", "[space]") {
  TupleSpace space;
  for (int i = 0; i < 1000; ++i) space.Upsert("user," + std::to_string(i), "v," + std::to_string(i));
  Reply reply = space.Execute(MakeGet("user,1", ".*"));
  CHECK(Texts(reply.pairs) == std::vector<std::string>{"user,1=v,1"});  // not user,10...
  CHECK(space.last_scan_count() == 1);
  CHECK(Texts(space.Execute(MakeGet("user,7", "v,7")).pairs) == std::vector<std::string>{"user,7=v,7"});
  CHECK(space.Execute(MakeGet("user,7", "v,8")).pairs.empty());
  CHECK(space.Execute(MakeGet("user,5000", ".*")).pairs.empty());
  CHECK(Texts(space.Execute(MakeDelete("user,2", "v,\\d")).pairs) == std::vector<std::string>{"user,2=v,2"});
  CHECK(space.size() == 999);
  // A bad value pattern is still an error beside a literal key.
  Reply bad = space.Execute(MakeGet("user,3", "v,("));
  REQUIRE(bad.error.has_value());
  CHECK(bad.error->kind == ErrorKind::kMalformedPattern);
}

namespace {

Request Page(std::string key_pattern, uint32_t limit, std::string after_key = "", std::string value_pattern = ".*") {
  Request request = MakeGet(std::move(key_pattern), std::move(value_pattern));
  request.limit = limit;
  request.after_key = std::move(after_key);
  return request;
}

}  // namespace

TEST_CASE("GET pages through the matches in key order: a limit, an after key, and whether more remain", "[space]") {
  TupleSpace space;
  Fill(space, {P("job,1", "a"), P("job,2", "b"), P("job,3", "a"), P("job,4", "a"), P("other,1", "a")});

  Reply first = space.Execute(Page("job,.*", 2));
  REQUIRE(first.ok());
  CHECK(Texts(first.pairs) == std::vector<std::string>{"job,1=a", "job,2=b"});
  CHECK(first.more);
  Reply second = space.Execute(Page("job,.*", 2, "job,2"));
  CHECK(Texts(second.pairs) == std::vector<std::string>{"job,3=a", "job,4=a"});
  CHECK_FALSE(second.more);  // nothing matches after job,4 (other,1 is not job,...)
  Reply empty = space.Execute(Page("job,.*", 2, "job,4"));
  CHECK(empty.ok());
  CHECK(empty.pairs.empty());
  CHECK_FALSE(empty.more);

  // The value pattern filters before the page is counted.
  CHECK(Texts(space.Execute(Page(".*", 2, "", "a")).pairs) == std::vector<std::string>{"job,1=a", "job,3=a"});
  // An after key need not be stored, and may lie before the pattern's prefix.
  CHECK(Texts(space.Execute(Page("job,.*", 1, "job,25")).pairs) == std::vector<std::string>{"job,3=a"});
  CHECK(Texts(space.Execute(Page("job,.*", 1, "a")).pairs) == std::vector<std::string>{"job,1=a"});
  // A literal key with an after key at or past it matches nothing.
  CHECK(space.Execute(Page("job,2", 1, "job,2")).pairs.empty());
  // Exactly the limit matching: no more.
  CHECK_FALSE(space.Execute(Page("job,.*", 4)).more);
  // No limit: all of them, more is never set.
  Reply all = space.Execute(Page(".*", 0));
  CHECK(all.pairs.size() == 5);
  CHECK_FALSE(all.more);
}

TEST_CASE("a GET page stays within the reply limit, and DELETE refuses paging", "[space]") {
  SpaceLimits limits;
  limits.max_pairs_per_reply = 2;
  TupleSpace space(limits);
  Fill(space, {P("a", "1"), P("b", "1")});
  space.Upsert("c", "1");
  // A limit above the reply limit pages at the reply limit, instead of failing.
  Reply page = space.Execute(Page(".*", 10));
  REQUIRE(page.ok());
  CHECK(page.pairs.size() == 2);
  CHECK(page.more);
  Reply unpaged = space.Execute(Page(".*", 0));
  REQUIRE_FALSE(unpaged.ok());
  CHECK_THAT(unpaged.error->message, Catch::Contains("page with a limit"));

  Request paged_delete = MakeDelete(".*", ".*");
  paged_delete.limit = 1;
  Reply refused = space.Execute(paged_delete);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error->kind == ErrorKind::kMalformedRequest);
  CHECK(space.size() == 3);  // nothing deleted
}
