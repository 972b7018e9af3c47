#include "common/security/cluster_keys.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "common/security/key_files.h"

namespace ts::security {
namespace {

namespace fs = std::filesystem;

Error LayoutError(const fs::path& path, std::string what) {
  return Error{ErrorKind::kInternal, path.string() + ": " + std::move(what)};
}

std::string_view RoleFolder(KeyRole role) {
  switch (role) {
    case KeyRole::kNode: return "nodes";
    case KeyRole::kBroker: return "brokers";
    case KeyRole::kAdmin: return "admins";
    case KeyRole::kClient: return "clients";
  }
  return "unknown";
}

// mkdir -p with kKeyDirMode for the folders it makes; an existing folder is
// left as the operator set it.
Status MakeDirectories(const fs::path& dir) {
  std::error_code error;
  if (fs::is_directory(dir, error)) return Status::Ok();
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    Status parent = MakeDirectories(dir.parent_path());
    if (!parent.ok()) return parent;
  }
  if (::mkdir(dir.c_str(), kKeyDirMode) != 0 && errno != EEXIST) {
    return LayoutError(dir, std::string("cannot create the folder: ") + std::strerror(errno));
  }
  if (!fs::is_directory(dir, error)) return LayoutError(dir, "exists and is not a folder");
  return Status::Ok();
}

bool Exists(const fs::path& path) {
  std::error_code error;
  return fs::exists(fs::symlink_status(path, error));
}

}  // namespace

ClusterKeyLayout::ClusterKeyLayout(fs::path cluster_dir) : keys_dir_(std::move(cluster_dir) / "keys") {}

fs::path ClusterKeyLayout::RoleDir(KeyRole role) const { return keys_dir_ / RoleFolder(role); }
fs::path ClusterKeyLayout::NodeKey(uint32_t node_id) const {
  return RoleDir(KeyRole::kNode) / ("node-" + std::to_string(node_id));
}
fs::path ClusterKeyLayout::BrokerKey(uint32_t broker_id) const {
  return RoleDir(KeyRole::kBroker) / ("broker-" + std::to_string(broker_id));
}
fs::path ClusterKeyLayout::AdminKey() const { return RoleDir(KeyRole::kAdmin) / "admin"; }
fs::path ClusterKeyLayout::ClientKey() const { return RoleDir(KeyRole::kClient) / "client"; }

std::map<KeyRole, fs::path> ClusterKeyLayout::AllowListSources() const {
  std::map<KeyRole, fs::path> sources;
  for (KeyRole role : kAllRoles) sources[role] = RoleDir(role);
  return sources;
}

Result<EnsuredPair> EnsureKeyPair(const fs::path& base) {
  Status folder = MakeDirectories(base.parent_path());
  if (!folder.ok()) return folder.error();
  const bool have_secret = Exists(SecretKeyPath(base));
  const bool have_public = Exists(PublicKeyPath(base));
  if (have_secret && have_public) {
    Result<CurveKeyPair> pair = ReadKeyPair(base);
    if (!pair.ok()) return pair.error();
    return EnsuredPair::kKept;
  }
  if (have_secret) {
    Result<CurveKey> secret_key = ReadSecretKeyFile(SecretKeyPath(base));
    if (!secret_key.ok()) return secret_key.error();
    Result<CurveKey> public_key = PublicKeyOf(secret_key.value());
    if (!public_key.ok()) return public_key.error();
    Status written = WritePublicKeyFile(PublicKeyPath(base), public_key.value());
    if (!written.ok()) return written.error();
    return EnsuredPair::kRestored;
  }
  if (have_public) {
    return LayoutError(PublicKeyPath(base), "has no secret " + SecretKeyPath(base).string() +
                                                 "; restore the secret, or remove the .pub to make a new pair");
  }
  Result<CurveKeyPair> pair = GenerateCurveKeyPair();
  if (!pair.ok()) return pair.error();
  Status written = WriteKeyPair(base, pair.value());
  if (!written.ok()) return written.error();
  return EnsuredPair::kCreated;
}

Result<EnsuredKeys> EnsureClusterKeys(const fs::path& cluster_dir, std::span<const uint32_t> node_ids,
                                      std::span<const uint32_t> broker_ids) {
  const ClusterKeyLayout layout(cluster_dir);
  std::vector<fs::path> bases;
  for (uint32_t id : node_ids) {
    if (id == 0) return LayoutError(layout.RoleDir(KeyRole::kNode), "node ids start at 1, got 0");
    bases.push_back(layout.NodeKey(id));
  }
  for (uint32_t id : broker_ids) {
    if (id == 0) return LayoutError(layout.RoleDir(KeyRole::kBroker), "broker ids start at 1, got 0");
    bases.push_back(layout.BrokerKey(id));
  }
  bases.push_back(layout.AdminKey());
  bases.push_back(layout.ClientKey());

  Status keys_dir = MakeDirectories(layout.keys_dir());
  if (!keys_dir.ok()) return keys_dir.error();
  for (KeyRole role : kAllRoles) {
    Status role_dir = MakeDirectories(layout.RoleDir(role));
    if (!role_dir.ok()) return role_dir.error();
  }
  EnsuredKeys report;
  for (const fs::path& base : bases) {
    Result<EnsuredPair> pair = EnsureKeyPair(base);
    if (!pair.ok()) return pair.error();
    switch (pair.value()) {
      case EnsuredPair::kCreated: report.created.push_back(base); break;
      case EnsuredPair::kKept: report.kept.push_back(base); break;
      case EnsuredPair::kRestored: report.restored.push_back(base); break;
    }
  }
  return report;
}

}  // namespace ts::security
