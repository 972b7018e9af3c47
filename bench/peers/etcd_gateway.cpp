#include "bench/peers/etcd_gateway.h"

#include <nlohmann/json.hpp>

namespace ts::bench::peers {
namespace {

constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Parses an etcd response into `out`; false (with `verdict` set to the error) when it is not a successful one.
bool ParseResponse(int http_status, std::string_view body, nlohmann::json& out, EtcdVerdict& verdict) {
  out = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (http_status != 200) {
    verdict.kind = OpOutcome::Kind::kError;
    verdict.error_kind = "http_" + std::to_string(http_status);
    if (out.is_object() && out.contains("message") && out["message"].is_string()) {
      verdict.detail = out["message"].get<std::string>();
    } else if (out.is_object() && out.contains("error") && out["error"].is_string()) {
      verdict.detail = out["error"].get<std::string>();
    }
    return false;
  }
  if (!out.is_object() || !out.contains("header")) {
    verdict.kind = OpOutcome::Kind::kError;
    verdict.error_kind = "bad_response";
    verdict.detail = std::string(body.substr(0, 200));
    return false;
  }
  return true;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    text += kBase64Alphabet[(n >> 18) & 63];
    text += kBase64Alphabet[(n >> 12) & 63];
    text += kBase64Alphabet[(n >> 6) & 63];
    text += kBase64Alphabet[n & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    text += kBase64Alphabet[(n >> 18) & 63];
    text += kBase64Alphabet[(n >> 12) & 63];
    text += rest == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=';
    text += '=';
  }
  return text;
}

bool Base64Decode(std::string_view text, std::string& bytes) {
  bytes.clear();
  if (text.size() % 4 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t n = 0;
    int padding = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      uint32_t value = 0;
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        ++padding;
      } else {
        if (padding > 0) return false;  // data after padding
        const size_t found = kBase64Alphabet.find(c);
        if (found == std::string_view::npos) return false;
        value = static_cast<uint32_t>(found);
      }
      n = (n << 6) | value;
    }
    bytes += static_cast<char>((n >> 16) & 0xFF);
    if (padding < 2) bytes += static_cast<char>((n >> 8) & 0xFF);
    if (padding < 1) bytes += static_cast<char>(n & 0xFF);
  }
  return true;
}

std::string EtcdPutBody(std::string_view key, std::string_view value) {
  return nlohmann::json{{"key", Base64Encode(key)}, {"value", Base64Encode(value)}}.dump();
}

std::string EtcdRangeBody(std::string_view key, bool serializable) {
  return nlohmann::json{{"key", Base64Encode(key)}, {"serializable", serializable}}.dump();
}

std::string EtcdPrefixCountBody(std::string_view prefix) {
  std::string end(prefix);
  // The range end of a prefix: the prefix with its last byte that is not 0xff
  // incremented (etcd's clientv3.GetPrefixRangeEnd).
  while (!end.empty() && static_cast<uint8_t>(end.back()) == 0xFF) end.pop_back();
  if (end.empty()) {
    end = std::string(1, '\0');  // every key
  } else {
    end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
  }
  return nlohmann::json{{"key", Base64Encode(prefix)}, {"range_end", Base64Encode(end)}, {"count_only", true}}.dump();
}

std::string EtcdTxnPutBody(const std::vector<std::pair<std::string, std::string>>& pairs) {
  nlohmann::json success = nlohmann::json::array();
  for (const auto& [key, value] : pairs) {
    success.push_back({{"request_put", {{"key", Base64Encode(key)}, {"value", Base64Encode(value)}}}});
  }
  return nlohmann::json{{"success", success}}.dump();
}

EtcdVerdict JudgeEtcdPut(int http_status, std::string_view body) {
  EtcdVerdict verdict;
  nlohmann::json response;
  ParseResponse(http_status, body, response, verdict);
  return verdict;
}

EtcdVerdict JudgeEtcdRange(int http_status, std::string_view body) {
  EtcdVerdict verdict;
  nlohmann::json response;
  if (!ParseResponse(http_status, body, response, verdict)) return verdict;
  const bool found = response.contains("kvs") && response["kvs"].is_array() && !response["kvs"].empty();
  verdict.kind = found ? OpOutcome::Kind::kOk : OpOutcome::Kind::kMissing;
  return verdict;
}

EtcdVerdict JudgeEtcdTxn(int http_status, std::string_view body) {
  EtcdVerdict verdict;
  nlohmann::json response;
  if (!ParseResponse(http_status, body, response, verdict)) return verdict;
  if (!response.value("succeeded", false)) {
    verdict.kind = OpOutcome::Kind::kError;
    verdict.error_kind = "txn_not_succeeded";
  }
  return verdict;
}

int64_t EtcdRangeCount(int http_status, std::string_view body) {
  EtcdVerdict verdict;
  nlohmann::json response;
  if (!ParseResponse(http_status, body, response, verdict)) return -1;
  if (!response.contains("count")) return 0;
  const nlohmann::json& count = response["count"];
  // int64 fields come as JSON strings from the gateway.
  if (count.is_string()) {
    try {
      return std::stoll(count.get<std::string>());
    } catch (...) {
      return -1;
    }
  }
  return count.is_number_integer() ? count.get<int64_t>() : -1;
}

}  // namespace ts::bench::peers
