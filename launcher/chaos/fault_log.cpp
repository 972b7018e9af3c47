#include "launcher/chaos/fault_log.h"

#include <time.h>

#include <nlohmann/json.hpp>

namespace ts::launcher::chaos {

int64_t MonotonicNanos() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

std::string FaultLine(const FaultRecord& record) {
  nlohmann::ordered_json line = {{"round", record.round},       {"kind", record.kind},
                                 {"target", record.target},     {"start_ns", record.start_ns},
                                 {"end_ns", record.end_ns}};
  return line.dump();
}

Result<FaultRecord> ParseFaultLine(const std::string& line) {
  nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return Error{ErrorKind::kMalformedRequest, "not a JSON object: " + line};
  FaultRecord record;
  try {
    record.round = json.at("round").get<int>();
    record.kind = json.at("kind").get<std::string>();
    record.target = json.at("target").get<std::string>();
    record.start_ns = json.at("start_ns").get<int64_t>();
    record.end_ns = json.at("end_ns").get<int64_t>();
  } catch (const nlohmann::json::exception& error) {
    return Error{ErrorKind::kMalformedRequest, "fault line '" + line + "': " + error.what()};
  }
  return record;
}

Status FaultLog::Open(const std::string& path) {
  path_ = path;
  out_.open(path, std::ios::trunc);
  if (!out_) return Error{ErrorKind::kInternal, "cannot write " + path};
  return Status::Ok();
}

void FaultLog::Write(const FaultRecord& record) {
  records_.push_back(record);
  if (out_.is_open()) out_ << FaultLine(record) << "\n" << std::flush;
}

}  // namespace ts::launcher::chaos
