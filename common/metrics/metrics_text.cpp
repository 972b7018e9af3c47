#include "common/metrics/metrics_text.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace ts::metrics {
namespace {

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Integers print as integers; the rest with enough digits to read back.
std::string Number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char text[40];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else {
    std::snprintf(text, sizeof text, "%.9g", value);
  }
  return text;
}

std::string EscapeHelp(std::string_view help) {
  std::string escaped;
  for (char c : help) {
    if (c == '\\') escaped += "\\\\";
    else if (c == '\n') escaped += "\\n";
    else escaped += c;
  }
  return escaped;
}

}  // namespace

void LatencyHistogram::Observe(double seconds) {
  size_t bucket = 0;
  while (bucket < kLatencyBucketsSeconds.size() && seconds > kLatencyBucketsSeconds[bucket]) ++bucket;
  ++counts[bucket];
  sum_seconds += seconds;
  ++count;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\') escaped += "\\\\";
    else if (c == '"') escaped += "\\\"";
    else if (c == '\n') escaped += "\\n";
    else escaped += c;
  }
  return escaped;
}

void MetricsText::Family(std::string_view name, std::string_view help, const char* type) {
  if (name == open_family_) return;
  if (!ValidName(name)) throw std::logic_error("not a metric name: " + std::string(name));
  if (closed_families_.count(name) != 0) {
    throw std::logic_error("metric family " + std::string(name) + " written in two places");
  }
  if (!open_family_.empty()) closed_families_.insert(open_family_);
  open_family_ = name;
  text_ += "# HELP " + std::string(name) + " " + EscapeHelp(help) + "\n";
  text_ += "# TYPE " + std::string(name) + " " + type + "\n";
}

void MetricsText::Sample(std::string_view name, const Labels& labels, double value) {
  text_ += name;
  if (!labels.empty()) {
    text_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (!ValidName(labels[i].first)) throw std::logic_error("not a label name: " + labels[i].first);
      text_ += (i == 0 ? "" : ",") + labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + "\"";
    }
    text_ += '}';
  }
  text_ += " " + Number(value) + "\n";
}

void MetricsText::Counter(std::string_view name, std::string_view help, double value, const Labels& labels) {
  Family(name, help, "counter");
  Sample(name, labels, value);
}

void MetricsText::Gauge(std::string_view name, std::string_view help, double value, const Labels& labels) {
  Family(name, help, "gauge");
  Sample(name, labels, value);
}

void MetricsText::Histogram(std::string_view name, std::string_view help, const LatencyHistogram& histogram,
                            const Labels& labels) {
  Family(name, help, "histogram");
  const std::string base(name);
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= kLatencyBucketsSeconds.size(); ++i) {
    cumulative += histogram.counts[i];
    Labels with_le = labels;
    with_le.emplace_back("le", i < kLatencyBucketsSeconds.size() ? Number(kLatencyBucketsSeconds[i]) : "+Inf");
    Sample(base + "_bucket", with_le, static_cast<double>(cumulative));
  }
  Sample(base + "_sum", labels, histogram.sum_seconds);
  Sample(base + "_count", labels, static_cast<double>(histogram.count));
}

}  // namespace ts::metrics
