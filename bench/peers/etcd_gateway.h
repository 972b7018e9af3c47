// etcd v3's JSON gateway, as etcd_bench speaks it: the request bodies and the
// verdict on a response, with no sockets (the pure part of the driver).
//
// The gateway (etcd 3.4 serves it on the client port: POST /v3/kv/put,
// /v3/kv/range, /v3/kv/txn) takes the gRPC messages as JSON, keys and values
// base64-encoded. It is not free for etcd: each request is decoded from JSON,
// sent again as gRPC over a loopback connection inside etcd, and the reply
// encoded back to JSON, on the same cores that run raft and the store.
//
// Reads are linearizable unless `serializable` is set (etcd's default: a read
// index round to the leader, so a read sees every write acknowledged before
// it); a serializable read is served from the member's local state.
// A response is an op when its HTTP status is 200 and its JSON has a
// "header" (every etcd response has one); a range that found no key is an op
// that found nothing (missing). Anything else is an error: "http_<status>"
// when etcd answered with an error status, "bad_response" when the body is
// not the JSON of a response.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/peers/peer_load.h"

namespace ts::bench::peers {

std::string Base64Encode(std::string_view bytes);
// False when `text` is not padded base64 (`bytes` is then undefined).
bool Base64Decode(std::string_view text, std::string& bytes);

inline constexpr const char* kEtcdPutPath = "/v3/kv/put";
inline constexpr const char* kEtcdRangePath = "/v3/kv/range";
inline constexpr const char* kEtcdTxnPath = "/v3/kv/txn";
// etcd's default --max-txn-ops: the most puts one transaction may hold.
inline constexpr size_t kEtcdMaxTxnOps = 128;

std::string EtcdPutBody(std::string_view key, std::string_view value);
std::string EtcdRangeBody(std::string_view key, bool serializable);
// Every key that starts with `prefix`, counted only.
std::string EtcdPrefixCountBody(std::string_view prefix);
// One transaction (no compares) putting every pair; at most kEtcdMaxTxnOps.
std::string EtcdTxnPutBody(const std::vector<std::pair<std::string, std::string>>& pairs);

struct EtcdVerdict {
  OpOutcome::Kind kind = OpOutcome::Kind::kOk;
  std::string error_kind;  // for kError
  std::string detail;      // etcd's message, when it sent one
};

EtcdVerdict JudgeEtcdPut(int http_status, std::string_view body);
EtcdVerdict JudgeEtcdRange(int http_status, std::string_view body);
EtcdVerdict JudgeEtcdTxn(int http_status, std::string_view body);  // ok only when "succeeded"
// The "count" of a range response (etcd omits it when 0); -1 for a response that is not one.
int64_t EtcdRangeCount(int http_status, std::string_view body);

}  // namespace ts::bench::peers
