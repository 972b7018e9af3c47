#include "launcher/chaos/faults.h"

#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

namespace ts::chaos {

Result<std::vector<Fault>> ParseFaults(const std::string& text, const std::string& name) {
  std::vector<Fault> faults;
  std::istringstream lines(text);
  std::string line;
  size_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto bad = [&](const std::string& what) {
      return Error{ErrorKind::kMalformedRequest, name + ":" + std::to_string(number) + ": " + what};
    };
    nlohmann::json fault = nlohmann::json::parse(line, nullptr, false);
    if (fault.is_discarded() || !fault.is_object()) return bad("not a JSON object");
    auto start = fault.find("start_ns");
    if (start == fault.end() || !start->is_number_integer()) return bad("\"start_ns\" must be an integer");
    Fault parsed{start->get<int64_t>(), std::numeric_limits<int64_t>::max(), line};
    auto end = fault.find("end_ns");
    if (end != fault.end() && !end->is_null()) {
      if (!end->is_number_integer()) return bad("\"end_ns\" must be an integer or null");
      parsed.end_ns = end->get<int64_t>();
    }
    faults.push_back(std::move(parsed));
  }
  return faults;
}

Result<std::vector<Fault>> ReadFaults(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorKind::kMalformedRequest, path + ": cannot open the faults file"};
  std::ostringstream text;
  text << in.rdbuf();
  return ParseFaults(text.str(), path);
}

std::vector<Fault> Overlapping(const std::vector<Fault>& faults, int64_t from_ns, int64_t to_ns) {
  std::vector<Fault> out;
  for (const Fault& fault : faults)
    if (fault.start_ns <= to_ns && fault.end_ns >= from_ns) out.push_back(fault);
  return out;
}

}  // namespace ts::chaos
