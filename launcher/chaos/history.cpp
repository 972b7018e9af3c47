#include "launcher/chaos/history.h"

#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace ts::chaos {
namespace {

using json = nlohmann::json;

Error Bad(std::string message) { return Error{ErrorKind::kMalformedRequest, std::move(message)}; }

bool ParseType(const std::string& text, EventType* type) {
  static const std::map<std::string, EventType> kTypes = {
      {"invoke", EventType::kInvoke}, {"ok", EventType::kOk}, {"fail", EventType::kFail}, {"unknown", EventType::kUnknown}};
  auto it = kTypes.find(text);
  if (it == kTypes.end()) return false;
  *type = it->second;
  return true;
}

bool ParseFn(const std::string& text, Fn* f) {
  static const std::map<std::string, Fn> kFns = {
      {"put", Fn::kPut}, {"post", Fn::kPost}, {"get", Fn::kGet}, {"delete", Fn::kDelete}};
  auto it = kFns.find(text);
  if (it == kFns.end()) return false;
  *f = it->second;
  return true;
}

bool IsWriteWord(Fn f, const std::string& word) {
  if (f == Fn::kPut) return word == "inserted" || word == "key_present";
  return word == "updated" || word == "key_absent";
}

}  // namespace

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kInvoke: return "invoke";
    case EventType::kOk: return "ok";
    case EventType::kFail: return "fail";
    case EventType::kUnknown: return "unknown";
  }
  return "?";
}

std::string_view FnName(Fn f) {
  switch (f) {
    case Fn::kPut: return "put";
    case Fn::kPost: return "post";
    case Fn::kGet: return "get";
    case Fn::kDelete: return "delete";
  }
  return "?";
}

std::string FormatEvent(const HistoryEvent& event) {
  // Field order is fixed (ordered_json) so histories diff and grep well.
  nlohmann::ordered_json line;
  line["process"] = event.process;
  line["type"] = EventTypeName(event.type);
  line["f"] = FnName(event.f);
  if (!event.key.empty()) line["key"] = event.key;
  if (!event.pattern.empty()) {
    line["pattern"] = event.pattern;
    line["keys"] = event.keys;
  }
  if (!event.value.empty()) line["value"] = event.value;
  if (event.type == EventType::kOk) {
    if (event.f == Fn::kPut || event.f == Fn::kPost) {
      line["result"] = event.outcome;
    } else {
      json pairs = json::array();
      for (const auto& [key, value] : event.result) pairs.push_back(json::array({key, value}));
      line["result"] = pairs;
    }
    line["node"] = event.node;
    line["term"] = event.term;
  }
  if (!event.error.empty()) line["error"] = event.error;
  line["time_ns"] = event.time_ns;
  return line.dump();
}

Result<HistoryEvent> ParseEvent(std::string_view text) {
  json line = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (line.is_discarded()) return Bad("not a JSON object");
  if (!line.is_object()) return Bad("not a JSON object");
  HistoryEvent event;
  auto need = [&](const char* field) -> const json* {
    auto it = line.find(field);
    return it == line.end() ? nullptr : &*it;
  };
  const json* process = need("process");
  if (process == nullptr || !process->is_number_unsigned()) return Bad("\"process\" must be a non-negative integer");
  event.process = process->get<uint64_t>();
  const json* type = need("type");
  if (type == nullptr || !type->is_string() || !ParseType(type->get<std::string>(), &event.type))
    return Bad("\"type\" must be \"invoke\", \"ok\", \"fail\" or \"unknown\"");
  const json* f = need("f");
  if (f == nullptr || !f->is_string() || !ParseFn(f->get<std::string>(), &event.f))
    return Bad("\"f\" must be \"put\", \"post\", \"get\" or \"delete\"");
  const json* time = need("time_ns");
  if (time == nullptr || !time->is_number_integer()) return Bad("\"time_ns\" must be an integer");
  event.time_ns = time->get<int64_t>();
  if (const json* key = need("key")) {
    if (!key->is_string() || key->get<std::string>().empty()) return Bad("\"key\" must be a non-empty string");
    event.key = key->get<std::string>();
  }
  if (const json* pattern = need("pattern")) {
    if (!pattern->is_string() || pattern->get<std::string>().empty()) return Bad("\"pattern\" must be a non-empty string");
    event.pattern = pattern->get<std::string>();
    const json* keys = need("keys");
    if (keys == nullptr || !keys->is_array()) return Bad("a \"pattern\" needs \"keys\": the keys it covers");
    for (const json& key : *keys) {
      if (!key.is_string()) return Bad("\"keys\" must be strings");
      event.keys.push_back(key.get<std::string>());
    }
  }
  if (const json* value = need("value")) {
    if (!value->is_string()) return Bad("\"value\" must be a string");
    event.value = value->get<std::string>();
  }
  if (const json* error = need("error")) {
    if (!error->is_string()) return Bad("\"error\" must be a string");
    event.error = error->get<std::string>();
  }
  if (const json* node = need("node")) {
    if (!node->is_number_unsigned()) return Bad("\"node\" must be a non-negative integer");
    event.node = node->get<uint32_t>();
  }
  if (const json* term = need("term")) {
    if (!term->is_number_unsigned()) return Bad("\"term\" must be a non-negative integer");
    event.term = term->get<uint64_t>();
  }
  const bool write = event.f == Fn::kPut || event.f == Fn::kPost;
  if (event.type == EventType::kInvoke) {
    if (event.key.empty() == event.pattern.empty()) return Bad("an invoke needs exactly one of \"key\" and \"pattern\"");
    if (write && event.key.empty()) return Bad("a put/post needs a \"key\"");
    if (write && event.value.empty()) return Bad("a put/post needs a \"value\"");
  }
  if (event.type == EventType::kOk) {
    const json* result = need("result");
    if (result == nullptr) return Bad("an ok needs a \"result\"");
    if (write) {
      if (!result->is_string() || !IsWriteWord(event.f, result->get<std::string>()))
        return Bad(event.f == Fn::kPut ? "a put's \"result\" must be \"inserted\" or \"key_present\""
                                       : "a post's \"result\" must be \"updated\" or \"key_absent\"");
      event.outcome = result->get<std::string>();
    } else {
      if (!result->is_array()) return Bad("a get/delete's \"result\" must be a list of [key, value]");
      for (const json& pair : *result) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
          return Bad("a get/delete's \"result\" must be a list of [key, value]");
        event.result.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
      }
    }
  }
  return event;
}

Result<History> ParseHistory(std::string_view text, const std::string& name) {
  History history;
  std::map<uint64_t, size_t> pending;  // process -> index of its open operation
  size_t line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto where = [&] { return name + ":" + std::to_string(line_number) + ": "; };
    Result<HistoryEvent> parsed = ParseEvent(line);
    if (!parsed.ok()) return Bad(where() + parsed.error().message);
    HistoryEvent& event = parsed.value();
    auto open = pending.find(event.process);
    if (event.type == EventType::kInvoke) {
      if (open != pending.end())
        return Bad(where() + "process " + std::to_string(event.process) + " invokes again before its operation at line " +
                   std::to_string(history.ops[open->second].invoke_line) + " completed");
      Operation op;
      op.process = event.process;
      op.f = event.f;
      op.key = event.key;
      op.pattern = event.pattern;
      op.keys = event.keys;
      op.value = event.value;
      op.invoke_ns = event.time_ns;
      op.invoke_line = line_number;
      op.invoke_text = std::string(line);
      pending[event.process] = history.ops.size();
      history.ops.push_back(std::move(op));
      continue;
    }
    if (open == pending.end())
      return Bad(where() + "a completion of process " + std::to_string(event.process) + " without an invoke");
    Operation& op = history.ops[open->second];
    pending.erase(open);
    if (event.f != op.f)
      return Bad(where() + "completes a " + std::string(FnName(event.f)) + " but line " + std::to_string(op.invoke_line) +
                 " invoked a " + std::string(FnName(op.f)));
    if (event.time_ns < op.invoke_ns)
      return Bad(where() + "completes before its invoke at line " + std::to_string(op.invoke_line));
    op.complete_line = line_number;
    op.complete_text = std::string(line);
    op.error = event.error;
    switch (event.type) {
      case EventType::kOk:
        op.outcome = Outcome::kOk;
        op.complete_ns = event.time_ns;
        op.result_word = event.outcome;
        op.result = std::move(event.result);
        op.node = event.node;
        op.term = event.term;
        break;
      case EventType::kFail:
        op.outcome = Outcome::kFail;
        op.complete_ns = event.time_ns;
        break;
      case EventType::kUnknown:
      case EventType::kInvoke:
        op.outcome = Outcome::kUnknown;
        op.complete_ns = kNeverCompleted;
        break;
    }
  }
  return history;
}

Result<History> ReadHistory(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad(path + ": cannot open the history file");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseHistory(text.str(), path);
}

}  // namespace ts::chaos
