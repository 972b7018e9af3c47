// tsctl's reply formatting, readable and JSON, for every kind of reply.
#include <catch2/catch.hpp>

#include "clients/tsctl_format.h"

using ts::tsctl::FailureJson;
using ts::tsctl::FormatFailure;
using ts::tsctl::FormatRawReply;
using ts::tsctl::FormatReply;
using ts::tsctl::JsonLine;
using ts::tsctl::RawReplyJson;
using ts::tsctl::ReplyJson;

namespace {

ts::Reply Served(const char* op) {
  ts::Reply reply;
  reply.op_name = op;
  reply.served_by = 2;
  reply.term = 5;
  return reply;
}

ts::Reply WithError(ts::ErrorKind kind, std::string message, uint32_t served_by = 2) {
  ts::Reply reply = Served("GET");
  reply.served_by = served_by;
  if (served_by == 0) reply.term = 0;
  reply.error = ts::Error{kind, std::move(message)};
  return reply;
}

}  // namespace

TEST_CASE("format: pairs of a GET, readable and JSON", "[client][format]") {
  ts::Reply reply = Served("GET");
  reply.pairs = {ts::Pair{{"user", "1"}, {"alice"}}, ts::Pair{{"user", "22"}, {"bob", "x"}}};
  CHECK(FormatReply(reply) ==
        "KEY      VALUE\n"
        "user,1   alice\n"
        "user,22  bob,x\n"
        "2 pairs matched (node 2, term 5)\n");
  CHECK(JsonLine(ReplyJson(reply)) ==
        R"({"ok":true,"op":"GET","pairs":[["user,1","alice"],["user,22","bob,x"]],"rejected":[],)"
        R"("error":null,"served_by":2,"term":5})"
        "\n");

  ts::Reply none = Served("GET");
  CHECK(FormatReply(none) == "no pairs matched (node 2, term 5)\n");
  CHECK(ReplyJson(none)["pairs"].empty());

  ts::Reply one = Served("GET");
  one.pairs = {ts::Pair{{"a"}, {"b"}}};
  CHECK_THAT(FormatReply(one), Catch::EndsWith("1 pair matched (node 2, term 5)\n"));
}

TEST_CASE("format: pairs a DELETE removed", "[client][format]") {
  ts::Reply reply = Served("DELETE");
  reply.pairs = {ts::Pair{{"s", "1"}, {"x"}}};
  CHECK(FormatReply(reply) == "KEY  VALUE\ns,1  x\n1 pair deleted (node 2, term 5)\n");
  CHECK(FormatReply(Served("DELETE")) == "no pairs matched, nothing deleted (node 2, term 5)\n");
  CHECK(ReplyJson(reply)["op"] == "DELETE");
}

TEST_CASE("format: PUT and POST, with the pairs not used and why", "[client][format]") {
  CHECK(FormatReply(Served("PUT")) == "OK, every pair added (node 2, term 5)\n");
  CHECK(FormatReply(Served("POST")) == "OK, every pair updated (node 2, term 5)\n");

  ts::Reply put = Served("PUT");
  put.rejected = {
      ts::Rejection{ts::Pair{{"a"}, {"1"}}, ts::RejectReason::kKeyPresent},
      ts::Rejection{ts::Pair{{"b", ""}, {"2"}}, ts::RejectReason::kMalformed},
      ts::Rejection{ts::Pair{{"a"}, {"3"}}, ts::RejectReason::kRepeatedInRequest},
      ts::Rejection{ts::Pair{{"big"}, {std::string(300, 'v')}}, ts::RejectReason::kTooLarge},
  };
  const std::string cut_value = std::string(64, 'v') + "... (300 bytes)";
  CHECK(FormatReply(put) ==
        "KEY  VALUE" + std::string(cut_value.size() - 5, ' ') + "  NOT ADDED BECAUSE\n"
        "a    1" + std::string(cut_value.size() - 1, ' ') + "  key already present\n"
        "b,   2" + std::string(cut_value.size() - 1, ' ') +
        "  malformed key: each element is one or more ASCII letters or digits [A-Za-z0-9]; element 2 is empty\n"
        "a    3" + std::string(cut_value.size() - 1, ' ') + "  key repeated in this request\n"
        "big  " + cut_value + "  tuple too large: element 1 of the value is 300 bytes; the limit is 256 bytes per element\n"
        "4 pairs not added (node 2, term 5)\n");
  CHECK(JsonLine(ReplyJson(put)) ==
        R"({"ok":true,"op":"PUT","pairs":[],"rejected":[)"
        R"({"key":"a","value":"1","reason":"key_present"},)"
        R"({"key":"b,","value":"2","reason":"malformed","detail":"malformed key: each element is one or more )"
        R"(ASCII letters or digits [A-Za-z0-9]; element 2 is empty"},)"
        R"({"key":"a","value":"3","reason":"repeated_in_request"},)"
        R"({"key":"big","value":")" + std::string(300, 'v') + R"(","reason":"too_large","detail":"tuple too large: )"
        R"(element 1 of the value is 300 bytes; the limit is 256 bytes per element"}],"error":null,"served_by":2,"term":5})"
        "\n");

  ts::Reply post = Served("POST");
  post.rejected = {ts::Rejection{ts::Pair{{"z"}, {"9"}}, ts::RejectReason::kKeyAbsent}};
  CHECK(FormatReply(post) ==
        "KEY  VALUE  NOT UPDATED BECAUSE\n"
        "z    9      key not present\n"
        "1 pair not updated (node 2, term 5)\n");
  CHECK(ReplyJson(post)["rejected"][0]["reason"] == "key_absent");
}

TEST_CASE("format: a malformed pair says what a tuple element may be, and which one is not", "[client][format]") {
  using ts::tsctl::ExplainRejection;
  auto malformed = [](ts::Tuple key, ts::Tuple value) {
    return ExplainRejection(ts::Rejection{ts::Pair{std::move(key), std::move(value)}, ts::RejectReason::kMalformed});
  };
  const std::string rule = "each element is one or more ASCII letters or digits [A-Za-z0-9]; ";
  CHECK(malformed({"\xc3\xbc", "1"}, {"x"}) == "malformed key: " + rule + "'\xc3\xbc' at element 1 is not");
  CHECK(malformed({"user", "a b"}, {"x"}) == "malformed key: " + rule + "'a b' at element 2 is not");
  CHECK(malformed({"k"}, {"ok", "bad!"}) == "malformed value: " + rule + "'bad!' at element 2 is not");
  CHECK(malformed({"k"}, {""}) == "malformed value: " + rule + "element 1 is empty");
  CHECK(malformed({}, {"v"}) == "malformed key: " + rule + "it has no elements");
  // A control byte is shown escaped, not sent to the terminal.
  CHECK(malformed({"a\x1b[2J"}, {"v"}) == "malformed key: " + rule + "'a\\x1b[2J' at element 1 is not");

  ts::Reply put = Served("PUT");
  put.rejected = {ts::Rejection{ts::Pair{{"\xc3\xbc", "1"}, {"x"}}, ts::RejectReason::kMalformed}};
  CHECK(FormatReply(put) == "KEY         VALUE  NOT ADDED BECAUSE\n"
                            "\\xc3\\xbc,1  x      malformed key: " + rule + "'\xc3\xbc' at element 1 is not\n"
                            "1 pair not added (node 2, term 5)\n");
}

TEST_CASE("format: 'tuple too large' names the limit and the size", "[client][format]") {
  using ts::tsctl::ExplainRejection;
  auto too_large = [](ts::Tuple key, ts::Tuple value) {
    return ExplainRejection(ts::Rejection{ts::Pair{std::move(key), std::move(value)}, ts::RejectReason::kTooLarge});
  };
  CHECK(too_large({std::string(100000, 'k')}, {"1"}) ==
        "tuple too large: element 1 of the key is 100000 bytes; the limit is 256 bytes per element");
  CHECK(too_large(ts::Tuple(70, "e"), {"1"}) == "tuple too large: the key has 70 elements; the limit is 64 per tuple");
  CHECK(too_large({"k"}, {"a", std::string(257, 'b')}) ==
        "tuple too large: element 2 of the value is 257 bytes; the limit is 256 bytes per element");
  // Within the limits tsctl knows: the service's may differ; said without figures.
  CHECK(too_large({"k"}, {"v"}) ==
        "tuple too large (past the space's limit on elements per tuple or bytes per element)");
}

TEST_CASE("format: a rejected 100 KB key is shown cut, so the table is not padded to it", "[client][format]") {
  const std::string huge(100000, 'x');
  CHECK(ts::tsctl::AbbreviatedTuple({huge}) == std::string(64, 'x') + "... (100000 bytes)");
  CHECK(ts::tsctl::AbbreviatedTuple({"user", "1"}) == "user,1");
  CHECK(ts::tsctl::AbbreviatedTuple({std::string(64, 'y')}) == std::string(64, 'y'));  // at the limit: whole

  ts::Reply put = Served("PUT");
  put.rejected = {ts::Rejection{ts::Pair{{huge}, {"1"}}, ts::RejectReason::kTooLarge}};
  const std::string text = FormatReply(put);
  CHECK(text.size() < 400);  // was 200 KB: the key, and the header padded to it
  CHECK(text == "KEY" + std::string(64 + 18 - 3, ' ') + "  VALUE  NOT ADDED BECAUSE\n" + std::string(64, 'x') +
                    "... (100000 bytes)  1      tuple too large: element 1 of the key is 100000 bytes; the limit "
                    "is 256 bytes per element\n1 pair not added (node 2, term 5)\n");
  // JSON is for scripts: the key whole.
  CHECK(ReplyJson(put)["rejected"][0]["key"] == huge);
}

TEST_CASE("format: ping and count, readable and JSON", "[client][format]") {
  ts::Reply get = Served("GET");
  CHECK(ts::tsctl::FormatPing(get, 0.4149) == "pong from node 2 (primary, term 5) in 0.41 ms\n");
  CHECK(JsonLine(ts::tsctl::PingJson(get, 0.41249)) ==
        R"({"ok":true,"op":"PING","rtt_ms":0.412,"error":null,"served_by":2,"term":5})"
        "\n");
  get.pairs = {ts::Pair{{"a"}, {"1"}}, ts::Pair{{"b"}, {"2"}}};
  CHECK(ts::tsctl::FormatCount(get) == "2 pairs match (node 2, term 5)\n");
  CHECK(JsonLine(ts::tsctl::CountJson(get)) ==
        R"({"ok":true,"op":"COUNT","count":2,"error":null,"served_by":2,"term":5})"
        "\n");
  get.pairs.resize(1);
  CHECK(ts::tsctl::FormatCount(get) == "1 pair matches (node 2, term 5)\n");

  ts::Reply refused = WithError(ts::ErrorKind::kServiceRefused, "the broker serves at most 1 client at a time", 0);
  CHECK(ts::tsctl::FormatPing(refused, 1.0) == "error: service refused: the broker serves at most 1 client at a time\n");
  CHECK(JsonLine(ts::tsctl::CountJson(refused)) ==
        R"({"ok":false,"op":"COUNT","count":null,"error":{"kind":"service_refused",)"
        R"("message":"the broker serves at most 1 client at a time"},"served_by":0,"term":0})"
        "\n");
}

TEST_CASE("format: every error kind, in plain words and in JSON", "[client][format]") {
  struct Case {
    ts::ErrorKind kind;
    const char* plain;
    const char* name;
  };
  const Case cases[] = {
      {ts::ErrorKind::kMalformedRequest, "malformed request", "malformed_request"},
      {ts::ErrorKind::kMalformedPattern, "malformed pattern", "malformed_pattern"},
      {ts::ErrorKind::kPatternTooCostly, "pattern too costly", "pattern_too_costly"},
      {ts::ErrorKind::kNotImplemented, "not implemented", "not_implemented"},
      {ts::ErrorKind::kTooLarge, "too large", "too_large"},
      {ts::ErrorKind::kServiceRefused, "service refused", "service_refused"},
      {ts::ErrorKind::kUnavailable, "service unavailable", "unavailable"},
      {ts::ErrorKind::kNotEnoughReplicas, "not enough replicas", "not_enough_replicas"},
      {ts::ErrorKind::kInternal, "internal error", "internal"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    ts::Reply reply = WithError(c.kind, "what went wrong");
    CHECK(FormatReply(reply) == std::string("error: ") + c.plain + ": what went wrong (node 2, term 5)\n");
    nlohmann::ordered_json json = ReplyJson(reply);
    CHECK(json["ok"] == false);
    CHECK(json["error"]["kind"] == c.name);
    CHECK(json["error"]["message"] == "what went wrong");
  }
}

TEST_CASE("format: the broker's own refusals (no node served them)", "[client][format]") {
  ts::Reply refused = WithError(ts::ErrorKind::kServiceRefused, "client limit of 32 reached", 0);
  CHECK(FormatReply(refused) == "error: service refused: client limit of 32 reached\n");
  CHECK(JsonLine(ReplyJson(refused)) ==
        R"({"ok":false,"op":"GET","pairs":[],"rejected":[],)"
        R"("error":{"kind":"service_refused","message":"client limit of 32 reached"},"served_by":0,"term":0})"
        "\n");

  ts::Reply unavailable = WithError(ts::ErrorKind::kUnavailable, "no primary within 5000 ms", 0);
  CHECK(FormatReply(unavailable) == "error: service unavailable: no primary within 5000 ms\n");
  CHECK(ReplyJson(unavailable)["error"]["kind"] == "unavailable");

  ts::Reply bare = WithError(ts::ErrorKind::kNotImplemented, "", 0);
  CHECK(FormatReply(bare) == "error: not implemented\n");

  // A message that starts with its kind's words (as tsbroker's do) names the
  // kind once when readable; JSON keeps the message exactly as sent.
  ts::Reply repeated = WithError(ts::ErrorKind::kServiceRefused, "service refused: the broker serves at most 1 clients", 0);
  CHECK(FormatReply(repeated) == "error: service refused: the broker serves at most 1 clients\n");
  CHECK(ReplyJson(repeated)["error"]["message"] == "service refused: the broker serves at most 1 clients");
  ts::Reply by_name = WithError(ts::ErrorKind::kUnavailable, "unavailable: no primary for 5000 ms", 0);
  CHECK(FormatReply(by_name) == "error: service unavailable: no primary for 5000 ms\n");
  ts::Reply only_kind = WithError(ts::ErrorKind::kUnavailable, "unavailable: ", 0);
  CHECK(FormatReply(only_kind) == "error: service unavailable: unavailable: \n");
}

TEST_CASE("format: no reply at all (the client's own failure)", "[client][format]") {
  ts::Error no_reply{ts::ErrorKind::kUnavailable, "no reply from tcp://127.0.0.1:1 after 3 attempts of 2500 ms"};
  CHECK(FormatFailure(no_reply) ==
        "error: cannot reach the service: no reply from tcp://127.0.0.1:1 after 3 attempts of 2500 ms\n");
  CHECK(JsonLine(FailureJson("GET", no_reply)) ==
        R"({"ok":false,"op":"GET","pairs":[],"rejected":[],"error":{"kind":"unavailable",)"
        R"("message":"no reply from tcp://127.0.0.1:1 after 3 attempts of 2500 ms"},"served_by":null,"term":null})"
        "\n");

  ts::Error bad_reply{ts::ErrorKind::kInternal, "the reply from tcp://x:1 is not a valid reply: short"};
  CHECK(FormatFailure(bad_reply) == "error: the reply from tcp://x:1 is not a valid reply: short\n");
  CHECK(FailureJson("", bad_reply)["op"].is_null());
}

TEST_CASE("format: a raw reply that does not decode is shown in hex", "[client][format]") {
  ts::RawReply raw;
  raw.frame = std::string("\x01\xff", 2);
  raw.decode_error = "frame of 2 bytes is not a whole number of words";
  CHECK(FormatRawReply(raw) ==
        "error: the reply is not a valid reply (frame of 2 bytes is not a whole number of words); 2 bytes: 01ff\n");
  nlohmann::ordered_json json = RawReplyJson(raw);
  CHECK(json["ok"] == false);
  CHECK(json["raw_hex"] == "01ff");
  CHECK(json["error"]["kind"] == "internal");

  ts::RawReply decoded;
  decoded.decoded = WithError(ts::ErrorKind::kMalformedRequest, "not a tuplestar frame");
  CHECK(FormatRawReply(decoded) == "error: malformed request: not a tuplestar frame (node 2, term 5)\n");
  CHECK(RawReplyJson(decoded)["error"]["kind"] == "malformed_request");
}

TEST_CASE("format: an unknown op's reply, and bytes a terminal cannot show", "[client][format]") {
  CHECK(FormatReply(Served("FROB")) == "OK: FROB (node 2, term 5)\n");

  ts::Reply odd = Served("GET");
  odd.pairs = {ts::Pair{{std::string("a\x01\\", 3)}, {}}};
  CHECK(FormatReply(odd) == "KEY      VALUE\na\\x01\\\\  (empty)\n1 pair matched (node 2, term 5)\n");

  ts::Reply not_utf8 = Served("GET");
  not_utf8.pairs = {ts::Pair{{"\xff\xfe"}, {"v"}}};
  std::string line;
  REQUIRE_NOTHROW(line = JsonLine(ReplyJson(not_utf8)));
  CHECK_THAT(line, Catch::Contains("\xEF\xBF\xBD"));  // U+FFFD replacement character
}

TEST_CASE("format: a STATUS reply as tables", "[client][format]") {
  ts::Reply status = Served("STATUS");
  status.pairs = {
      ts::Pair{{"broker"}, {"primary=2", "term=5", "clients=1"}},
      ts::Pair{{"node", "1"}, {"role=backup", "term=5", "applied=10", "lag=2", "live=yes"}},
      ts::Pair{{"node", "2"}, {"role=primary", "term=5", "applied=12", "lag=0", "live=yes"}},
      ts::Pair{{"node", "3"}, {"role=backup", "live=no"}},
      ts::Pair{{"event", "1"}, {"node 3 failed 12 s ago"}},
      ts::Pair{{"extra"}, {"thing"}},
  };
  CHECK(FormatReply(status) ==
        "primary: node 2, term 5\n"
        "broker: primary=2  term=5  clients=1\n"
        "NODE  ROLE     TERM  APPLIED  LAG  LIVE\n"
        "1     backup   5     10       2    yes\n"
        "2     primary  5     12       0    yes\n"
        "3     backup   -     -        -    no\n"
        "recent events:\n"
        "  node 3 failed 12 s ago\n"
        "extra: thing\n");
  ts::Reply empty = Served("STATUS");
  empty.served_by = 0;
  CHECK(FormatReply(empty) == "no primary (term 5)\n");
  // As JSON: fields, not packed strings (numbers as numbers, yes/no as booleans).
  const nlohmann::ordered_json json = ReplyJson(status);
  CHECK_FALSE(json.contains("pairs"));
  CHECK(json["ok"] == true);
  CHECK(json["op"] == "STATUS");
  CHECK(json["broker"] == nlohmann::ordered_json({{"primary", 2}, {"term", 5}, {"clients", 1}}));
  REQUIRE(json["nodes"].size() == 3);
  CHECK(json["nodes"][0] == nlohmann::ordered_json(
                                {{"id", 1}, {"role", "backup"}, {"term", 5}, {"applied", 10}, {"lag", 2}, {"live", true}}));
  CHECK(json["nodes"][2]["live"] == false);
  CHECK(json["events"] == nlohmann::ordered_json::array({"node 3 failed 12 s ago"}));
  CHECK(json["other"] == nlohmann::ordered_json::array({nlohmann::ordered_json::array({"extra", "thing"})}));
  CHECK(json["served_by"] == 2);
  CHECK(json["term"] == 5);
  // A failed STATUS keeps the common shape.
  ts::Reply refused = Served("STATUS");
  refused.error = ts::Error{ts::ErrorKind::kUnavailable, "no primary"};
  CHECK(ReplyJson(refused).contains("pairs"));
}

TEST_CASE("format: a GET page that ended at its limit says where the next begins", "[client][format]") {
  ts::Reply page = Served("GET");
  page.pairs = {ts::Pair{{"job", "1"}, {"a"}}, ts::Pair{{"job", "2"}, {"b"}}};
  page.more = true;
  CHECK_THAT(FormatReply(page), Catch::EndsWith("2 pairs matched (node 2, term 5)\n"
                                                "more remain: the next page is --after job,2\n"));
  CHECK(ReplyJson(page)["more"] == true);
  page.more = false;
  CHECK_FALSE(ReplyJson(page).contains("more"));
  CHECK_THAT(FormatReply(page), !Catch::Contains("more remain"));
}
