#include "launcher/cluster_shape.h"

#include <nlohmann/json.hpp>

#include <filesystem>

#include "launcher/run_state.h"

namespace ts::launcher {
namespace {

Error Malformed(const std::string& what) {
  return Error{ErrorKind::kMalformedRequest, "the cluster shape " + what};
}

}  // namespace

std::string ClusterShapePath(const std::string& dir) { return dir + "/cluster-shape.json"; }

std::string FormatClusterShape(const ClusterShape& shape) {
  nlohmann::json json = {{"port_base", shape.port_base}, {"nodes", shape.nodes}, {"brokers", shape.brokers}};
  return json.dump() + "\n";
}

Result<ClusterShape> ParseClusterShape(const std::string& text) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return Malformed("is not a JSON object");
  ClusterShape shape;
  for (auto [name, field] : {std::pair{"port_base", &shape.port_base}, std::pair{"nodes", &shape.nodes},
                             std::pair{"brokers", &shape.brokers}}) {
    auto found = json.find(name);
    if (found == json.end()) {
      if (std::string(name) == "brokers") continue;  // older files: one broker
      return Malformed(std::string("has no \"") + name + "\"");
    }
    if (!found->is_number_integer() || found->get<int64_t>() < 0 || found->get<int64_t>() > 65535) {
      return Malformed(std::string("field \"") + name + "\" is not a whole number from 0 to 65535");
    }
    *field = found->get<int>();
  }
  return shape;
}

Result<std::optional<ClusterShape>> ReadClusterShape(const std::string& dir) {
  const std::string path = ClusterShapePath(dir);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::optional<ClusterShape>();
  Result<ClusterShape> shape = ParseClusterShape(ReadText(path));
  if (!shape.ok()) {
    return Error{shape.error().kind, path + ": " + shape.error().message + " (remove it, or give --port and --nodes)"};
  }
  return std::optional<ClusterShape>(shape.value());
}

Status WriteClusterShape(const std::string& dir, const ClusterShape& shape) {
  const std::string text = FormatClusterShape(shape);
  WriteText(ClusterShapePath(dir), text);
  if (ReadText(ClusterShapePath(dir)) != text) {
    return Error{ErrorKind::kInternal, "cannot write " + ClusterShapePath(dir)};
  }
  return Status::Ok();
}

}  // namespace ts::launcher
