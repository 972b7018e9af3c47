// The history format: lines round-trip through FormatEvent/ParseEvent, and a
// malformed file is refused with FILE:LINE and what is wrong.
#include <catch2/catch.hpp>

#include "launcher/chaos/history.h"
#include "tests/chaos/history_builder.h"

using ts::chaos::EventType;
using ts::chaos::Fn;
using ts::chaos::HistoryEvent;
using ts::chaos::kNeverCompleted;
using ts::chaos::Outcome;
using ts::chaos::ParseEvent;
using ts::chaos::ParseHistory;

namespace {

std::string ErrorOf(const std::string& text) {
  auto history = ParseHistory(text, "h.jsonl");
  return history.ok() ? "(parsed)" : history.error().message;
}

const char* kInvoke = R"({"process":0,"type":"invoke","f":"put","key":"k1","value":"a","time_ns":10})";

}  // namespace

TEST_CASE("chaos history: every field survives a round trip", "[chaos]") {
  HistoryEvent done;
  done.process = 7;
  done.type = EventType::kOk;
  done.f = Fn::kGet;
  done.pattern = "k[12]";
  done.keys = {"k1", "k2"};
  done.result = {{"k1", "a"}, {"k2", "b"}};
  done.node = 2;
  done.term = 9;
  done.time_ns = 123456789012345;
  const std::string line = ts::chaos::FormatEvent(done);
  CHECK(line == R"({"process":7,"type":"ok","f":"get","pattern":"k[12]","keys":["k1","k2"],"result":[["k1","a"],["k2","b"]],"node":2,"term":9,"time_ns":123456789012345})");
  auto parsed = ParseEvent(line);
  REQUIRE(parsed.ok());
  CHECK(ts::chaos::FormatEvent(parsed.value()) == line);
}

TEST_CASE("chaos history: invokes pair with their process's completion, an open one is unknown", "[chaos]") {
  const std::string text = std::string(kInvoke) + "\n" +
                           R"({"process":1,"type":"invoke","f":"get","key":"k1","time_ns":11})" "\n"
                           R"({"process":0,"type":"ok","f":"put","result":"inserted","node":1,"term":1,"time_ns":20})" "\n";
  auto history = ParseHistory(text, "h.jsonl");
  REQUIRE(history.ok());
  REQUIRE(history.value().ops.size() == 2);
  const auto& put = history.value().ops[0];
  CHECK(put.outcome == Outcome::kOk);
  CHECK(put.result_word == "inserted");
  CHECK(put.complete_ns == 20);
  CHECK(put.complete_line == 3);
  const auto& get = history.value().ops[1];
  CHECK(get.outcome == Outcome::kUnknown);
  CHECK(get.complete_ns == kNeverCompleted);
  CHECK(get.complete_line == 0);
}

TEST_CASE("chaos history: malformed lines are refused with the file, the line and what is wrong", "[chaos]") {
  CHECK(ErrorOf(std::string(kInvoke) + "\n{not json\n") == "h.jsonl:2: not a JSON object");
  CHECK(ErrorOf(R"({"process":0,"type":"invoke","f":"put","key":"k1","value":"a"})") ==
        "h.jsonl:1: \"time_ns\" must be an integer");
  CHECK(ErrorOf(R"({"process":-1,"type":"invoke","f":"put","key":"k1","value":"a","time_ns":1})") ==
        "h.jsonl:1: \"process\" must be a non-negative integer");
  CHECK(ErrorOf(R"({"process":0,"type":"done","f":"put","key":"k1","value":"a","time_ns":1})") ==
        "h.jsonl:1: \"type\" must be \"invoke\", \"ok\", \"fail\" or \"unknown\"");
  CHECK(ErrorOf(R"({"process":0,"type":"invoke","f":"cas","key":"k1","time_ns":1})") ==
        "h.jsonl:1: \"f\" must be \"put\", \"post\", \"get\" or \"delete\"");
  CHECK(ErrorOf(R"({"process":0,"type":"invoke","f":"get","time_ns":1})") ==
        "h.jsonl:1: an invoke needs exactly one of \"key\" and \"pattern\"");
  CHECK(ErrorOf(R"({"process":0,"type":"invoke","f":"get","pattern":"k.","time_ns":1})") ==
        "h.jsonl:1: a \"pattern\" needs \"keys\": the keys it covers");
  CHECK(ErrorOf(R"({"process":0,"type":"invoke","f":"put","key":"k1","time_ns":1})") ==
        "h.jsonl:1: a put/post needs a \"value\"");
  CHECK(ErrorOf("\n" R"({"process":3,"type":"ok","f":"get","result":[],"time_ns":1})") ==
        "h.jsonl:2: a completion of process 3 without an invoke");
  CHECK(ErrorOf(std::string(kInvoke) + "\n" + kInvoke) ==
        "h.jsonl:2: process 0 invokes again before its operation at line 1 completed");
  CHECK(ErrorOf(std::string(kInvoke) + "\n" R"({"process":0,"type":"ok","f":"get","result":[],"time_ns":20})") ==
        "h.jsonl:2: completes a get but line 1 invoked a put");
  CHECK(ErrorOf(std::string(kInvoke) + "\n" R"({"process":0,"type":"ok","f":"put","result":"done","time_ns":20})") ==
        "h.jsonl:2: a put's \"result\" must be \"inserted\" or \"key_present\"");
  CHECK(ErrorOf(std::string(kInvoke) + "\n" R"({"process":0,"type":"ok","f":"put","result":"inserted","time_ns":5})") ==
        "h.jsonl:2: completes before its invoke at line 1");
  CHECK(ErrorOf(R"({"process":0,"type":"invoke","f":"get","key":"k1","time_ns":1})" "\n"
                R"({"process":0,"type":"ok","f":"get","result":[["k1"]],"time_ns":2})") ==
        "h.jsonl:2: a get/delete's \"result\" must be a list of [key, value]");
}

TEST_CASE("chaos history: a missing file is named", "[chaos]") {
  auto history = ts::chaos::ReadHistory("/nonexistent/h.jsonl");
  REQUIRE_FALSE(history.ok());
  CHECK(history.error().message == "/nonexistent/h.jsonl: cannot open the history file");
}
