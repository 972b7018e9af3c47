// Hand-made chaos histories for the checker's tests: each call appends one
// operation (its invoke and its completion lines, formatted by history.h) of
// one process, with the times given. Served-by node and term are settable,
// for the one-primary-per-term check.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "launcher/chaos/checker.h"
#include "launcher/chaos/history.h"

namespace ts::chaos::testing {

class HistoryBuilder {
 public:
  HistoryBuilder& ServedBy(uint32_t node, uint64_t term) {
    node_ = node;
    term_ = term;
    return *this;
  }
  HistoryBuilder& Put(uint64_t p, std::string key, std::string value, int64_t t0, int64_t t1,
                      std::string result = "inserted") {
    return Write(p, Fn::kPut, std::move(key), std::move(value), t0, t1, std::move(result));
  }
  HistoryBuilder& Post(uint64_t p, std::string key, std::string value, int64_t t0, int64_t t1,
                       std::string result = "updated") {
    return Write(p, Fn::kPost, std::move(key), std::move(value), t0, t1, std::move(result));
  }
  // A put/post without a reply: "unknown".
  HistoryBuilder& UnknownWrite(uint64_t p, Fn f, std::string key, std::string value, int64_t t0, int64_t t1) {
    HistoryEvent invoke = Invoke(p, f, t0);
    invoke.key = std::move(key);
    invoke.value = std::move(value);
    return Finish(invoke, EventType::kUnknown, t1);
  }
  HistoryBuilder& Get(uint64_t p, std::string key, std::optional<std::string> seen, int64_t t0, int64_t t1) {
    return Read(p, Fn::kGet, std::move(key), std::move(seen), t0, t1);
  }
  HistoryBuilder& Delete(uint64_t p, std::string key, std::optional<std::string> removed, int64_t t0, int64_t t1) {
    return Read(p, Fn::kDelete, std::move(key), std::move(removed), t0, t1);
  }
  HistoryBuilder& RegexGet(uint64_t p, std::string pattern, std::vector<std::string> keys,
                           std::vector<KeyValue> result, int64_t t0, int64_t t1) {
    HistoryEvent invoke = Invoke(p, Fn::kGet, t0);
    invoke.pattern = std::move(pattern);
    invoke.keys = std::move(keys);
    HistoryEvent done = invoke;
    done.type = EventType::kOk;
    done.result = std::move(result);
    return Ok(invoke, done, t1);
  }
  HistoryBuilder& Failed(uint64_t p, std::string key, std::string value, int64_t t0, int64_t t1) {
    HistoryEvent invoke = Invoke(p, Fn::kPut, t0);
    invoke.key = std::move(key);
    invoke.value = std::move(value);
    return Finish(invoke, EventType::kFail, t1);
  }

  const std::string& text() const { return text_; }
  History Parse() const {
    Result<History> history = ParseHistory(text_, "h.jsonl");
    if (!history.ok()) throw std::runtime_error(history.error().message);
    return history.value();
  }
  CheckReport Check(std::vector<PrimaryClaim> claims = {}, std::vector<Fault> faults = {}) const {
    CheckInputs inputs;
    inputs.history = Parse();
    inputs.history_name = "h.jsonl";
    inputs.claims = std::move(claims);
    inputs.faults = std::move(faults);
    return RunCheck(inputs);
  }

 private:
  HistoryEvent Invoke(uint64_t p, Fn f, int64_t t0) {
    HistoryEvent invoke;
    invoke.process = p;
    invoke.type = EventType::kInvoke;
    invoke.f = f;
    invoke.time_ns = t0;
    return invoke;
  }
  HistoryBuilder& Write(uint64_t p, Fn f, std::string key, std::string value, int64_t t0, int64_t t1,
                        std::string result) {
    HistoryEvent invoke = Invoke(p, f, t0);
    invoke.key = std::move(key);
    invoke.value = std::move(value);
    HistoryEvent done = invoke;
    done.type = EventType::kOk;
    done.outcome = std::move(result);
    return Ok(invoke, done, t1);
  }
  HistoryBuilder& Read(uint64_t p, Fn f, std::string key, std::optional<std::string> seen, int64_t t0, int64_t t1) {
    HistoryEvent invoke = Invoke(p, f, t0);
    invoke.key = key;
    HistoryEvent done = invoke;
    done.type = EventType::kOk;
    if (seen) done.result.emplace_back(key, *seen);
    return Ok(invoke, done, t1);
  }
  HistoryBuilder& Ok(const HistoryEvent& invoke, HistoryEvent done, int64_t t1) {
    done.time_ns = t1;
    done.node = node_;
    done.term = term_;
    text_ += FormatEvent(invoke) + "\n" + FormatEvent(done) + "\n";
    return *this;
  }
  HistoryBuilder& Finish(const HistoryEvent& invoke, EventType type, int64_t t1) {
    HistoryEvent done = invoke;
    done.type = type;
    done.time_ns = t1;
    done.error = type == EventType::kFail ? "malformed_request: test" : "no reply from tcp://test after 1 attempt";
    text_ += FormatEvent(invoke) + "\n" + FormatEvent(done) + "\n";
    return *this;
  }

  std::string text_;
  uint32_t node_ = 1;
  uint64_t term_ = 1;
};

}  // namespace ts::chaos::testing
