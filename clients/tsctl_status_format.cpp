// The readable form of a STATUS reply: the broker's line, a table of nodes
// (one column per field name, in the order the fields first appear), and the
// recent events. Facts in any other shape are still shown, generically, so a
// broker may add fields without breaking older clients.
#include <algorithm>
#include <cctype>
#include <utility>

#include "clients/tsctl_format.h"

namespace ts::tsctl {
namespace {

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string JoinDisplay(const Tuple& elements, const char* separator) {
  std::string text;
  for (const std::string& element : elements) {
    if (!text.empty()) text += separator;
    text += DisplayTuple({element});
  }
  return text;
}

// "role=primary" -> {"role", "primary"}; an element without '=' -> {"", element}.
std::pair<std::string, std::string> FieldOf(const std::string& element) {
  size_t equals = element.find('=');
  if (equals == std::string::npos) return {"", element};
  return {element.substr(0, equals), element.substr(equals + 1)};
}

std::string NodeTable(const std::vector<const Pair*>& nodes) {
  std::vector<std::string> fields;  // field names, in order of first appearance
  for (const Pair* node : nodes) {
    for (const std::string& element : node->value) {
      std::string name = FieldOf(element).first;
      if (std::find(fields.begin(), fields.end(), name) == fields.end()) fields.push_back(name);
    }
  }
  std::vector<std::vector<std::string>> rows(1, {"NODE"});
  for (const std::string& field : fields) rows[0].push_back(field.empty() ? "INFO" : Upper(field));
  for (const Pair* node : nodes) {
    std::vector<std::string> row{DisplayTuple({node->key[1]})};
    for (const std::string& field : fields) {
      std::string cell;
      for (const std::string& element : node->value) {
        auto [name, value] = FieldOf(element);
        if (name != field) continue;
        if (!cell.empty()) cell += " ";
        cell += DisplayTuple({value});
      }
      row.push_back(cell.empty() ? "-" : cell);
    }
    rows.push_back(std::move(row));
  }
  return TextTable(rows);
}

// A field's JSON value: a whole number as a number, yes/no as a bool, any
// other text as it is.
nlohmann::ordered_json FieldJson(const std::string& text) {
  if (text == "yes") return true;
  if (text == "no") return false;
  if (!text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos) {
    return std::stoull(text);
  }
  return text;
}

nlohmann::ordered_json FieldsJson(const Tuple& elements) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  std::vector<std::string> loose;
  for (const std::string& element : elements) {
    auto [name, value] = FieldOf(element);
    if (name.empty()) {
      loose.push_back(value);
    } else {
      object[name] = FieldJson(value);
    }
  }
  if (!loose.empty()) object["info"] = loose;
  return object;
}

}  // namespace

nlohmann::ordered_json StatusJson(const Reply& reply) {
  nlohmann::ordered_json json;
  json["ok"] = reply.ok();
  json["op"] = reply.op_name;
  json["broker"] = nlohmann::ordered_json::object();
  json["nodes"] = nlohmann::ordered_json::array();
  json["events"] = nlohmann::ordered_json::array();
  nlohmann::ordered_json other = nlohmann::ordered_json::array();
  for (const Pair& pair : reply.pairs) {
    const bool single = pair.key.size() == 1;
    if (single && (pair.key[0] == "broker" || pair.key[0] == "service" || pair.key[0] == "shutdown" ||
                   pair.key[0] == "security")) {
      json[pair.key[0]] = FieldsJson(pair.value);
    } else if (pair.key.size() == 2 && pair.key[0] == "node") {
      nlohmann::ordered_json node = {{"id", FieldJson(pair.key[1])}};
      node.update(FieldsJson(pair.value));
      json["nodes"].push_back(std::move(node));
    } else if (!pair.key.empty() && pair.key[0] == "event") {
      json["events"].push_back(TupleText(pair.value));
    } else {
      other.push_back(nlohmann::ordered_json::array({TupleText(pair.key), TupleText(pair.value)}));
    }
  }
  if (!other.empty()) json["other"] = std::move(other);
  json["error"] = nullptr;
  json["served_by"] = reply.served_by;
  json["term"] = reply.term;
  return json;
}

std::string FormatStatus(const Reply& reply) {
  std::string text = reply.served_by != 0
                         ? "primary: node " + std::to_string(reply.served_by) + ", term " + std::to_string(reply.term) + "\n"
                         : "no primary (term " + std::to_string(reply.term) + ")\n";
  std::vector<const Pair*> nodes;
  std::vector<const Pair*> events;
  std::string other;
  for (const Pair& pair : reply.pairs) {
    if (pair.key.size() == 1 && pair.key[0] == "broker") {
      text += "broker: " + JoinDisplay(pair.value, "  ") + "\n";
    } else if (pair.key.size() == 2 && pair.key[0] == "node") {
      nodes.push_back(&pair);
    } else if (pair.key.size() >= 1 && pair.key[0] == "event") {
      events.push_back(&pair);
    } else {
      other += DisplayTuple(pair.key) + ": " + DisplayTuple(pair.value) + "\n";
    }
  }
  if (!nodes.empty()) text += NodeTable(nodes);
  if (!events.empty()) {
    text += "recent events:\n";
    for (const Pair* event : events) text += "  " + JoinDisplay(event->value, " ") + "\n";
  }
  return text + other;
}

}  // namespace ts::tsctl
