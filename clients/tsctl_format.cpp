#include "clients/tsctl_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace ts::tsctl {
namespace {

// Longest raw reply prefix shown in hex when a reply does not decode.
constexpr size_t kRawPreviewBytes = 64;

std::string Hex(std::string_view bytes, size_t limit) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < bytes.size() && i < limit; ++i) {
    auto byte = static_cast<unsigned char>(bytes[i]);
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 15];
  }
  return hex;
}

std::string Plural(size_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// " (node 2, term 7)" when a node answered; broker-made replies have no node.
std::string ServedSuffix(const Reply& reply) {
  if (reply.served_by == 0) return "";
  return " (node " + std::to_string(reply.served_by) + ", term " + std::to_string(reply.term) + ")";
}

}  // namespace

std::string TextTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string text;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    text += line + "\n";
  }
  return text;
}

namespace {

std::string PairsTable(const std::vector<Pair>& pairs) {
  std::vector<std::vector<std::string>> rows{{"KEY", "VALUE"}};
  for (const Pair& pair : pairs) rows.push_back({DisplayTuple(pair.key), DisplayTuple(pair.value)});
  return TextTable(rows);
}

std::string RejectedTable(const std::vector<Rejection>& rejected, const std::string& why_header) {
  std::vector<std::vector<std::string>> rows{{"KEY", "VALUE", why_header}};
  for (const Rejection& r : rejected) {
    rows.push_back({AbbreviatedTuple(r.pair.key), AbbreviatedTuple(r.pair.value), ExplainRejection(r)});
  }
  return TextTable(rows);
}

std::string FormatSuccess(const Reply& reply) {
  const std::string served = ServedSuffix(reply);
  if (reply.op_name == "STATUS") return FormatStatus(reply);
  if (reply.op_name == "SHUTDOWN") return "OK, shutdown acknowledged: the service saves its data and stops\n";
  switch (OpFromName(reply.op_name)) {
    case Op::kGet:
      if (reply.pairs.empty()) return "no pairs matched" + served + "\n";
      return PairsTable(reply.pairs) + Plural(reply.pairs.size(), "pair") + " matched" + served + "\n" +
             (reply.more ? "more remain: the next page is --after " + DisplayTuple(reply.pairs.back().key) + "\n"
                         : "");
    case Op::kDelete:
      if (reply.pairs.empty()) return "no pairs matched, nothing deleted" + served + "\n";
      return PairsTable(reply.pairs) + Plural(reply.pairs.size(), "pair") + " deleted" + served + "\n";
    case Op::kTake:
      if (reply.pairs.empty()) return "no pair matched, nothing taken" + served + "\n";
      return PairsTable(reply.pairs) + "1 pair taken" + served + "\n";
    case Op::kWatch:
      break;  // printed change by change (tsctl_session.cpp)
    case Op::kPut:
    case Op::kPost: {
      const bool put = reply.op_name == "PUT";
      if (reply.rejected.empty()) return std::string("OK, every pair ") + (put ? "added" : "updated") + served + "\n";
      return RejectedTable(reply.rejected, put ? "NOT ADDED BECAUSE" : "NOT UPDATED BECAUSE") +
             Plural(reply.rejected.size(), "pair") + (put ? " not added" : " not updated") + served + "\n";
    }
    case Op::kOther:
      break;
  }
  std::string text;
  if (!reply.pairs.empty()) text += PairsTable(reply.pairs);
  if (!reply.rejected.empty()) text += RejectedTable(reply.rejected, "NOT USED BECAUSE");
  return text + "OK" + (reply.op_name.empty() ? "" : ": " + reply.op_name) + served + "\n";
}

nlohmann::ordered_json NullReplyJson(std::string_view op) {
  nlohmann::ordered_json json;
  json["ok"] = false;
  json["op"] = op.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(std::string(op));
  json["pairs"] = nlohmann::ordered_json::array();
  json["rejected"] = nlohmann::ordered_json::array();
  json["error"] = nullptr;
  json["served_by"] = nullptr;
  json["term"] = nullptr;
  return json;
}

}  // namespace

std::string_view PlainErrorKind(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kMalformedRequest: return "malformed request";
    case ErrorKind::kMalformedPattern: return "malformed pattern";
    case ErrorKind::kPatternTooCostly: return "pattern too costly";
    case ErrorKind::kNotImplemented: return "not implemented";
    case ErrorKind::kTooLarge: return "too large";
    case ErrorKind::kServiceRefused: return "service refused";
    case ErrorKind::kUnavailable: return "service unavailable";
    case ErrorKind::kNotEnoughReplicas: return "not enough replicas";
    case ErrorKind::kInternal: return "internal error";
    case ErrorKind::kHistoryGone: return "history gone";
  }
  return "internal error";
}

std::string_view PlainRejectReason(RejectReason reason) {
  switch (reason) {
    case RejectReason::kMalformed: return "malformed pair";
    case RejectReason::kKeyPresent: return "key already present";
    case RejectReason::kKeyAbsent: return "key not present";
    case RejectReason::kRepeatedInRequest: return "key repeated in this request";
    case RejectReason::kTooLarge: return "tuple too large";
  }
  return "malformed pair";
}

std::string DisplayTuple(const Tuple& tuple) {
  if (tuple.empty()) return "(empty)";
  std::string text;
  for (char c : TupleText(tuple)) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '\\') {
      text += c;
    } else if (c == '\\') {
      text += "\\\\";
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      text += escaped;
    }
  }
  return text;
}

namespace {

// A server may begin its message with the kind's own words ("service refused:
// the broker serves at most 32 clients"); the readable line says the kind once.
std::string_view WithoutKindPrefix(std::string_view message, ErrorKind kind) {
  for (std::string_view kind_words : {PlainErrorKind(kind), std::string_view(ErrorKindName(kind))}) {
    if (message.size() > kind_words.size() + 2 && message.substr(0, kind_words.size()) == kind_words &&
        message.substr(kind_words.size(), 2) == ": ") {
      return message.substr(kind_words.size() + 2);
    }
  }
  return message;
}

}  // namespace

std::string FormatReply(const Reply& reply) {
  if (reply.ok()) return FormatSuccess(reply);
  std::string text = "error: " + std::string(PlainErrorKind(reply.error->kind));
  if (!reply.error->message.empty()) text += ": " + std::string(WithoutKindPrefix(reply.error->message, reply.error->kind));
  text += ServedSuffix(reply) + "\n";
  if (!reply.pairs.empty()) text += PairsTable(reply.pairs);
  if (!reply.rejected.empty()) text += RejectedTable(reply.rejected, "NOT USED BECAUSE");
  return text;
}

std::string FormatFailure(const Error& error) {
  if (error.kind == ErrorKind::kUnavailable) return "error: cannot reach the service: " + error.message + "\n";
  return "error: " + error.message + "\n";
}

std::string FormatRawReply(const RawReply& raw) {
  if (raw.decoded) return FormatReply(*raw.decoded);
  return "error: the reply is not a valid reply (" + raw.decode_error + "); " +
         Plural(raw.frame.size(), "byte") + (raw.frame.empty() ? "" : ": " + Hex(raw.frame, kRawPreviewBytes)) +
         (raw.frame.size() > kRawPreviewBytes ? "..." : "") + "\n";
}

nlohmann::ordered_json ReplyJson(const Reply& reply) {
  if (reply.ok() && reply.op_name == kStatusOpName) return StatusJson(reply);
  nlohmann::ordered_json json = NullReplyJson(reply.op_name);
  json["ok"] = reply.ok();
  for (const Pair& pair : reply.pairs) {
    json["pairs"].push_back(nlohmann::ordered_json::array({TupleText(pair.key), TupleText(pair.value)}));
  }
  for (const Rejection& r : reply.rejected) {
    nlohmann::ordered_json entry = {{"key", TupleText(r.pair.key)},
                                    {"value", TupleText(r.pair.value)},
                                    {"reason", std::string(RejectReasonName(r.reason))}};
    if (r.reason == RejectReason::kMalformed || r.reason == RejectReason::kTooLarge) {
      entry["detail"] = ExplainRejection(r);
    }
    json["rejected"].push_back(std::move(entry));
  }
  if (reply.error) {
    json["error"] = {{"kind", std::string(ErrorKindName(reply.error->kind))}, {"message", reply.error->message}};
  }
  json["served_by"] = reply.served_by;
  json["term"] = reply.term;
  if (reply.more) json["more"] = true;  // a page ended at its limit: --after the last key for the next
  return json;
}

nlohmann::ordered_json FailureJson(std::string_view op, const Error& error) {
  nlohmann::ordered_json json = NullReplyJson(op);
  json["error"] = {{"kind", std::string(ErrorKindName(error.kind))}, {"message", error.message}};
  return json;
}

nlohmann::ordered_json RawReplyJson(const RawReply& raw) {
  if (raw.decoded) return ReplyJson(*raw.decoded);
  nlohmann::ordered_json json = FailureJson("", Error{ErrorKind::kInternal, "the reply is not a valid reply: " + raw.decode_error});
  json["raw_hex"] = Hex(raw.frame, raw.frame.size());
  return json;
}

namespace {

// Milliseconds with two decimals: "0.41".
std::string Milliseconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", ms);
  return text;
}

// ping's and count's JSON: ok, op, `field`, then error, served_by, term.
nlohmann::ordered_json SummaryJson(const Reply& reply, const char* op, const char* field,
                                   nlohmann::ordered_json value) {
  nlohmann::ordered_json json;
  json["ok"] = reply.ok();
  json["op"] = op;
  json[field] = reply.ok() ? std::move(value) : nlohmann::ordered_json(nullptr);
  json["error"] = nullptr;
  if (reply.error) {
    json["error"] = {{"kind", std::string(ErrorKindName(reply.error->kind))}, {"message", reply.error->message}};
  }
  json["served_by"] = reply.served_by;
  json["term"] = reply.term;
  return json;
}

}  // namespace

std::string FormatPing(const Reply& reply, double elapsed_ms) {
  if (!reply.ok()) return FormatReply(reply);
  // Only a primary answers a get, so the node that answered is the primary.
  return "pong from node " + std::to_string(reply.served_by) + " (primary, term " + std::to_string(reply.term) +
         ") in " + Milliseconds(elapsed_ms) + " ms\n";
}

std::string FormatCount(const Reply& reply) {
  if (!reply.ok()) return FormatReply(reply);
  const size_t count = reply.pairs.size();
  return std::to_string(count) + (count == 1 ? " pair matches" : " pairs match") + ServedSuffix(reply) + "\n";
}

nlohmann::ordered_json PingJson(const Reply& reply, double elapsed_ms) {
  // Rounded to the microsecond: the figure is a wall-clock reading, not finer.
  return SummaryJson(reply, "PING", "rtt_ms", std::round(elapsed_ms * 1000.0) / 1000.0);
}

nlohmann::ordered_json CountJson(const Reply& reply) {
  return SummaryJson(reply, "COUNT", "count", reply.pairs.size());
}

std::string TsvPairs(const Reply& reply) {
  std::string text;
  for (const Pair& pair : reply.pairs) text += DisplayTuple(pair.key) + "\t" + DisplayTuple(pair.value) + "\n";
  return text;
}

std::string FormatChange(const Change& change) {
  return std::to_string(change.seq) + " " + change.op + " " + DisplayTuple(change.pair.key) + " " +
         DisplayTuple(change.pair.value) + "\n";
}

std::string TsvChange(const Change& change) {
  return std::to_string(change.seq) + "\t" + change.op + "\t" + DisplayTuple(change.pair.key) + "\t" +
         DisplayTuple(change.pair.value) + "\n";
}

nlohmann::ordered_json ChangeJson(const Change& change, const Reply& reply) {
  nlohmann::ordered_json json;
  json["seq"] = change.seq;
  json["op"] = change.op;
  json["key"] = TupleText(change.pair.key);
  json["value"] = TupleText(change.pair.value);
  json["erased"] = change.erased;
  json["served_by"] = reply.served_by;
  json["term"] = reply.term;
  return json;
}

std::string TsvPing(double elapsed_ms) { return Milliseconds(elapsed_ms) + "\n"; }

std::string TsvCount(const Reply& reply) { return std::to_string(reply.pairs.size()) + "\n"; }

std::string JsonLine(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace ts::tsctl
