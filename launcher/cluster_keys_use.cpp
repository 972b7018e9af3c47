#include "launcher/cluster_keys_use.h"

#include <vector>

#include "clients/client_keys.h"
#include "common/security/cluster_keys.h"
#include "common/security/key_files.h"
#include "launcher/console.h"

namespace ts::launcher {

Result<std::string> EnsureLayoutKeys(const std::string& cluster_dir, ClusterLayout& layout) {
  std::vector<uint32_t> node_ids;
  for (const NodeSpec& node : layout.nodes) node_ids.push_back(node.id);
  const std::vector<uint32_t> broker_ids = {1};
  Result<security::EnsuredKeys> ensured = security::EnsureClusterKeys(cluster_dir, node_ids, broker_ids);
  if (!ensured.ok()) return ensured.error();
  const security::ClusterKeyLayout keys(cluster_dir);
  layout.keys_dir = keys.keys_dir().string();
  const security::EnsuredKeys& what = ensured.value();
  if (what.created.empty() && what.restored.empty()) return "keys: " + *layout.keys_dir + " (kept)";
  return "keys: " + std::to_string(what.created.size()) + " CURVE pair(s) made in " + *layout.keys_dir +
         " (secrets mode 0600; keys/clients/client is tsctl's, keys/admins/admin shuts down)";
}

std::string LauncherKeyBase(const ClusterLayout& layout, security::KeyRole role) {
  if (!layout.keys_dir) return {};
  const security::ClusterKeyLayout keys(std::filesystem::path(*layout.keys_dir).parent_path());
  return (role == security::KeyRole::kAdmin ? keys.AdminKey() : keys.ClientKey()).string();
}

Result<std::optional<ClientCurve>> LauncherCurve(const ClusterLayout& layout, security::KeyRole role) {
  if (!layout.keys_dir) return std::optional<ClientCurve>();
  return LoadClientCurve(LauncherKeyBase(layout, role), "");
}

std::optional<ClientCurve> LauncherCurveOrDie(const ClusterLayout& layout, security::KeyRole role) {
  Result<std::optional<ClientCurve>> curve = LauncherCurve(layout, role);
  if (!curve.ok()) Die("the cluster's " + std::string(security::RoleName(role)) + " key: " + curve.error().message);
  return curve.value();
}

}  // namespace ts::launcher
