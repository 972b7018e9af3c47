// The pure parts of the handshake check: the ZAP frames, the policy's
// decision for each kind of peer, the refusal log's rate limit, and the
// choice between CURVE and plain text.
#include <catch2/catch.hpp>

#include "common/security/log_rate_limit.h"
#include "common/security/secure_socket.h"
#include "common/security/zap_policy.h"
#include "common/security/zap_protocol.h"

using namespace ts::security;
using ts::cluster::Millis;

namespace {

CurveKey NewPublicKey() {
  ts::Result<CurveKeyPair> pair = GenerateCurveKeyPair();
  REQUIRE(pair.ok());
  return pair.value().public_key;
}

std::string Raw(const CurveKey& key) { return std::string(key.begin(), key.end()); }

ZapRequest CurveRequest(std::string_view domain, const CurveKey& key) {
  return ZapRequest{"7", std::string(domain), "127.0.0.1", "", "CURVE", {Raw(key)}};
}

struct Keys {
  CurveKey node = NewPublicKey();
  CurveKey broker = NewPublicKey();
  CurveKey admin = NewPublicKey();
  CurveKey client = NewPublicKey();
  CurveKey stranger = NewPublicKey();

  AllowList List() const {
    AllowList list;
    REQUIRE(list.Add({node, KeyRole::kNode, "node-1", "test"}).ok());
    REQUIRE(list.Add({broker, KeyRole::kBroker, "broker-1", "test"}).ok());
    REQUIRE(list.Add({admin, KeyRole::kAdmin, "admin", "test"}).ok());
    REQUIRE(list.Add({client, KeyRole::kClient, "client", "test"}).ok());
    return list;
  }
};

}  // namespace

TEST_CASE("zap: request frames parse, and a reply is six frames", "[security][zap]") {
  const std::vector<std::string> frames{"1.0", "id", "nodes", "10.0.0.1", "", "CURVE", std::string(32, 'k')};
  ts::Result<ZapRequest> request = ParseZapRequest(frames);
  REQUIRE(request.ok());
  CHECK(request.value().request_id == "id");
  CHECK(request.value().domain == "nodes");
  CHECK(request.value().address == "10.0.0.1");
  CHECK(request.value().mechanism == "CURVE");
  REQUIRE(request.value().credentials.size() == 1);

  CHECK_FALSE(ParseZapRequest(std::vector<std::string>{"1.0", "id", "nodes"}).ok());
  std::vector<std::string> old = frames;
  old[0] = "0.9";
  ts::Result<ZapRequest> wrong_version = ParseZapRequest(old);
  REQUIRE_FALSE(wrong_version.ok());
  CHECK_THAT(wrong_version.error().message, Catch::Contains("0.9"));

  const std::vector<std::string> reply = ZapReplyFrames({"id", "200", "OK", "node/node-1"});
  CHECK(reply == std::vector<std::string>{"1.0", "id", "200", "OK", "node/node-1", ""});
}

TEST_CASE("zap policy: each domain admits exactly its roles", "[security][zap]") {
  const Keys keys;
  const ZapPolicy policy(ClusterDomainRules(), keys.List());
  struct Case {
    std::string_view domain;
    bool node, broker, admin, client;
  };
  const Case cases[] = {
      {zap_domain::kNodeLink, true, true, false, false},
      {zap_domain::kNodes, true, false, false, false},
      {zap_domain::kClients, false, false, true, true},
      {zap_domain::kShutdown, false, false, true, false},
  };
  for (const Case& c : cases) {
    INFO("domain " << c.domain);
    CHECK(policy.Decide(CurveRequest(c.domain, keys.node)).admitted() == c.node);
    CHECK(policy.Decide(CurveRequest(c.domain, keys.broker)).admitted() == c.broker);
    CHECK(policy.Decide(CurveRequest(c.domain, keys.admin)).admitted() == c.admin);
    CHECK(policy.Decide(CurveRequest(c.domain, keys.client)).admitted() == c.client);
    CHECK(policy.Decide(CurveRequest(c.domain, keys.stranger)).outcome == ZapOutcome::kUnknownKey);
  }
}

TEST_CASE("zap policy: a verdict says who was admitted, or why not", "[security][zap]") {
  const Keys keys;
  const ZapPolicy policy(ClusterDomainRules(), keys.List());

  const ZapVerdict node = policy.Decide(CurveRequest(zap_domain::kNodes, keys.node));
  CHECK(node.outcome == ZapOutcome::kAdmitted);
  CHECK(node.user_id == "node/node-1");
  CHECK(node.fingerprint == KeyFingerprint(keys.node));
  const ZapReply admitted = node.Reply("7");
  CHECK(admitted.status_code == "200");
  CHECK(admitted.user_id == "node/node-1");

  const ZapVerdict client_as_node = policy.Decide(CurveRequest(zap_domain::kNodes, keys.client));
  CHECK(client_as_node.outcome == ZapOutcome::kRoleRefused);
  CHECK_THAT(client_as_node.reason, Catch::Contains(KeyFingerprint(keys.client)) && Catch::Contains("client") &&
                                        Catch::Contains("admits node"));
  const ZapReply refused = client_as_node.Reply("7");
  CHECK(refused.status_code == "400");
  CHECK(refused.user_id.empty());
  CHECK(refused.request_id == "7");

  ZapRequest null_request = CurveRequest(zap_domain::kNodes, keys.node);
  null_request.mechanism = "NULL";
  null_request.credentials.clear();
  CHECK(policy.Decide(null_request).outcome == ZapOutcome::kNotCurve);

  ZapRequest short_key = CurveRequest(zap_domain::kNodes, keys.node);
  short_key.credentials[0].pop_back();
  CHECK(policy.Decide(short_key).outcome == ZapOutcome::kBadCredentials);
  ZapRequest two_keys = CurveRequest(zap_domain::kNodes, keys.node);
  two_keys.credentials.push_back(Raw(keys.node));
  CHECK(policy.Decide(two_keys).outcome == ZapOutcome::kBadCredentials);

  CHECK(policy.Decide(CurveRequest("", keys.node)).outcome == ZapOutcome::kUnknownDomain);
  CHECK(policy.Decide(CurveRequest("global", keys.admin)).outcome == ZapOutcome::kUnknownDomain);
}

TEST_CASE("zap policy: replaced keys take effect for the next decision", "[security][zap]") {
  const Keys keys;
  ZapPolicy policy(ClusterDomainRules(), keys.List());
  CHECK_FALSE(policy.Decide(CurveRequest(zap_domain::kClients, keys.stranger)).admitted());
  AllowList more = keys.List();
  REQUIRE(more.Add({keys.stranger, KeyRole::kClient, "newcomer", "test"}).ok());
  policy.ReplaceKeys(std::move(more));
  CHECK(policy.Decide(CurveRequest(zap_domain::kClients, keys.stranger)).user_id == "client/newcomer");
  policy.ReplaceKeys(AllowList{});
  CHECK_FALSE(policy.Decide(CurveRequest(zap_domain::kClients, keys.client)).admitted());
}

TEST_CASE("refusal log: a burst per window, then a count of what was held back", "[security][zap]") {
  LogRateLimiter limiter(3, Millis(1000));
  CHECK(limiter.Allow(Millis(0)));
  CHECK(limiter.Allow(Millis(10)));
  CHECK(limiter.Allow(Millis(20)));
  CHECK_FALSE(limiter.Allow(Millis(30)));
  CHECK_FALSE(limiter.Allow(Millis(40)));
  CHECK(limiter.TakeSuppressed(Millis(999)) == 0);  // the window is not over
  CHECK(limiter.TakeSuppressed(Millis(1000)) == 2);
  CHECK(limiter.TakeSuppressed(Millis(1001)) == 0);  // taken once
  CHECK(limiter.Allow(Millis(1000)));                // a new window
  CHECK(limiter.Allow(Millis(1001)));
  CHECK(limiter.Allow(Millis(1002)));
  CHECK_FALSE(limiter.Allow(Millis(1003)));
  CHECK(limiter.TakeSuppressed(Millis(5000)) == 1);
}

TEST_CASE("link security: CURVE when keys are given, plain text only when asked", "[security][zap]") {
  ts::Result<LinkSecurity> keys = ChooseLinkSecurity(true, false);
  REQUIRE(keys.ok());
  CHECK(keys.value() == LinkSecurity::kCurve);
  ts::Result<LinkSecurity> insecure = ChooseLinkSecurity(false, true);
  REQUIRE(insecure.ok());
  CHECK(insecure.value() == LinkSecurity::kInsecure);

  ts::Result<LinkSecurity> nothing = ChooseLinkSecurity(false, false);
  REQUIRE_FALSE(nothing.ok());
  CHECK_THAT(nothing.error().message, Catch::Contains("--insecure") && Catch::Contains("tskeys"));
  CHECK_FALSE(ChooseLinkSecurity(true, true).ok());
}
