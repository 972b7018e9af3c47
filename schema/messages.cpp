#include "schema/messages.h"

namespace ts {

Op OpFromName(std::string_view name) {
  if (name == "GET") return Op::kGet;
  if (name == "PUT") return Op::kPut;
  if (name == "POST") return Op::kPost;
  if (name == "DELETE") return Op::kDelete;
  if (name == "TAKE") return Op::kTake;
  if (name == "WATCH") return Op::kWatch;
  return Op::kOther;
}

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kGet: return "GET";
    case Op::kPut: return "PUT";
    case Op::kPost: return "POST";
    case Op::kDelete: return "DELETE";
    case Op::kTake: return "TAKE";
    case Op::kWatch: return "WATCH";
    case Op::kOther: return "OTHER";
  }
  return "OTHER";
}

bool IsWriteOp(Op op) { return op == Op::kPut || op == Op::kPost || op == Op::kDelete || op == Op::kTake; }

namespace {
Request MakePatternRequest(const char* op, std::string key_pattern, std::string value_pattern) {
  Request request;
  request.op_name = op;
  request.key_pattern = std::move(key_pattern);
  request.value_pattern = std::move(value_pattern);
  return request;
}
Request MakePairsRequest(const char* op, std::vector<Pair> pairs) {
  Request request;
  request.op_name = op;
  request.pairs = std::move(pairs);
  return request;
}
}  // namespace

Request MakeGet(std::string k, std::string v) { return MakePatternRequest("GET", std::move(k), std::move(v)); }
Request MakeDelete(std::string k, std::string v) { return MakePatternRequest("DELETE", std::move(k), std::move(v)); }
Request MakePut(std::vector<Pair> pairs) { return MakePairsRequest("PUT", std::move(pairs)); }
Request MakePost(std::vector<Pair> pairs) { return MakePairsRequest("POST", std::move(pairs)); }

Request MakeTake(std::string k, std::string v, uint32_t wait_ms) {
  Request request = MakePatternRequest("TAKE", std::move(k), std::move(v));
  request.wait_ms = wait_ms;
  return request;
}
Request MakeWatch(std::string k, std::string v, uint64_t after_seq, uint32_t wait_ms) {
  Request request = MakePatternRequest("WATCH", std::move(k), std::move(v));
  request.after_seq = after_seq;
  request.wait_ms = wait_ms;
  return request;
}

}  // namespace ts
