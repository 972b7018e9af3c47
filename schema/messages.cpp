#include "schema/messages.h"

namespace ts {

Op OpFromName(std::string_view name) {
  if (name == "GET") return Op::kGet;
  if (name == "PUT") return Op::kPut;
  if (name == "POST") return Op::kPost;
  if (name == "DELETE") return Op::kDelete;
  return Op::kOther;
}

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kGet: return "GET";
    case Op::kPut: return "PUT";
    case Op::kPost: return "POST";
    case Op::kDelete: return "DELETE";
    case Op::kOther: return "OTHER";
  }
  return "OTHER";
}

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

}  // namespace ts
