// etcd_bench's JSON gateway codec (bench/peers/etcd_gateway.h), on bodies as
// etcd 3.4's gateway sends them.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "bench/peers/etcd_gateway.h"

using namespace ts::bench::peers;

namespace {

constexpr const char* kHeader =
    R"("header":{"cluster_id":"232082895864915959","member_id":"3972808065061815559","revision":"2","raft_term":"2"})";

std::string Decoded(const std::string& text) {
  std::string bytes;
  REQUIRE(Base64Decode(text, bytes));
  return bytes;
}

}  // namespace

TEST_CASE("Base64 encodes as RFC 4648 and decodes back", "[peers][etcd]") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  CHECK(Base64Encode(std::string("\xff\x00\xfe", 3)) == "/wD+");
  for (const std::string text : {"", "f", "fo", "foo", "foob", "w8Kx-0.1-12345"}) CHECK(Decoded(Base64Encode(text)) == text);
  std::string ignored;
  CHECK_FALSE(Base64Decode("Zm9", ignored));    // not a multiple of 4
  CHECK_FALSE(Base64Decode("Zm*v", ignored));   // not in the alphabet
  CHECK_FALSE(Base64Decode("Z=9v", ignored));   // padding in the middle
}

TEST_CASE("Request bodies carry base64 keys and values, reads linearizable unless asked", "[peers][etcd]") {
  const nlohmann::json put = nlohmann::json::parse(EtcdPutBody("foo", "bar"));
  CHECK(put == nlohmann::json{{"key", "Zm9v"}, {"value", "YmFy"}});
  const nlohmann::json range = nlohmann::json::parse(EtcdRangeBody("foo", false));
  CHECK(range["serializable"] == false);
  CHECK(nlohmann::json::parse(EtcdRangeBody("foo", true))["serializable"] == true);
  const nlohmann::json count = nlohmann::json::parse(EtcdPrefixCountBody("wab-"));
  CHECK(Decoded(count["key"].get<std::string>()) == "wab-");
  CHECK(Decoded(count["range_end"].get<std::string>()) == "wab.");  // '-' + 1
  CHECK(count["count_only"] == true);
  const nlohmann::json txn = nlohmann::json::parse(EtcdTxnPutBody({{"a", "1"}, {"b", "2"}}));
  REQUIRE(txn["success"].size() == 2);
  CHECK(Decoded(txn["success"][1]["request_put"]["key"].get<std::string>()) == "b");
}

TEST_CASE("Responses: a header is an op, no kvs is missing, an error status is an error", "[peers][etcd]") {
  const std::string put = std::string("{") + kHeader + "}";
  CHECK(JudgeEtcdPut(200, put).kind == OpOutcome::Kind::kOk);

  const std::string found = std::string("{") + kHeader +
                            R"(,"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy"}],"count":"1"})";
  CHECK(JudgeEtcdRange(200, found).kind == OpOutcome::Kind::kOk);
  CHECK(JudgeEtcdRange(200, put).kind == OpOutcome::Kind::kMissing);
  CHECK(EtcdRangeCount(200, found) == 1);
  CHECK(EtcdRangeCount(200, put) == 0);  // etcd leaves a zero count out

  const EtcdVerdict refused =
      JudgeEtcdPut(503, R"({"error":"etcdserver: request timed out","message":"etcdserver: request timed out","code":14})");
  CHECK(refused.kind == OpOutcome::Kind::kError);
  CHECK(refused.error_kind == "http_503");
  CHECK(refused.detail == "etcdserver: request timed out");
  CHECK(JudgeEtcdPut(200, "<html>").error_kind == "bad_response");
  CHECK(JudgeEtcdPut(200, R"({"kvs":[]})").error_kind == "bad_response");
  CHECK(EtcdRangeCount(500, "{}") == -1);

  CHECK(JudgeEtcdTxn(200, std::string("{") + kHeader + R"(,"succeeded":true,"responses":[]})").kind == OpOutcome::Kind::kOk);
  CHECK(JudgeEtcdTxn(200, put).error_kind == "txn_not_succeeded");
}
