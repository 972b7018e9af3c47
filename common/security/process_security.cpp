#include "common/security/process_security.h"

#include <system_error>

#include "common/security/allow_list_files.h"
#include "common/security/key_files.h"

namespace ts::security {
namespace fs = std::filesystem;

Result<ClusterKeyLayout> LayoutOfKeysDir(const fs::path& keys_dir) {
  const fs::path normal = keys_dir.lexically_normal();
  const fs::path folder = normal.has_filename() ? normal : normal.parent_path();
  if (folder.filename() != "keys") {
    return Error{ErrorKind::kMalformedRequest, "--keys " + keys_dir.string() +
                                                   ": expected a cluster's keys folder, DIR/keys (made by `tskeys "
                                                   "cluster DIR` or ./run.sh up)"};
  }
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    return Error{ErrorKind::kMalformedRequest, "--keys " + keys_dir.string() + ": no such folder"};
  }
  return ClusterKeyLayout(folder.parent_path());
}

Result<std::unique_ptr<ProcessSecurity>> ProcessSecurity::Open(zmq::context_t& context, const SecurityFlags& flags,
                                                               OwnKey own, bool serves,
                                                               ZapHandlerOptions zap_options) {
  Result<LinkSecurity> mode = ChooseLinkSecurity(!flags.keys_dir.empty(), flags.insecure);
  if (!mode.ok()) return mode.error();
  std::unique_ptr<ProcessSecurity> security(new ProcessSecurity());
  if (mode.value() == LinkSecurity::kInsecure) {
    security->sockets_ = SocketSecurity::Insecure(context);
    return security;
  }
  Result<ClusterKeyLayout> layout = LayoutOfKeysDir(flags.keys_dir);
  if (!layout.ok()) return layout.error();
  fs::path base;
  switch (own.role) {
    case KeyRole::kNode: base = layout.value().NodeKey(own.id); break;
    case KeyRole::kBroker: base = layout.value().BrokerKey(own.id); break;
    case KeyRole::kAdmin: base = layout.value().AdminKey(); break;
    case KeyRole::kClient: base = layout.value().ClientKey(); break;
  }
  Result<CurveKeyPair> pair = ReadKeyPair(base);
  if (!pair.ok()) return pair.error();
  security->own_name_ = std::string(RoleName(own.role)) + "/" + base.filename().string();
  if (serves) {
    std::map<KeyRole, fs::path> sources = layout.value().AllowListSources();
    if (!flags.client_keys.empty()) sources[KeyRole::kClient] = flags.client_keys;
    auto zap = ZapHandler::Start(context, AllowListLoader(std::move(sources)), zap_options);
    if (!zap.ok()) return zap.error();
    security->zap_ = std::move(zap).value();
    security->sockets_ = SocketSecurity::CurveServer(*security->zap_, pair.value());
  } else {
    security->sockets_ = SocketSecurity::CurveClient(context, pair.value());
  }
  security->layout_ = std::move(layout).value();
  return security;
}

Result<CurveKey> ProcessSecurity::PeerKey(KeyRole role, uint32_t id) const {
  if (!layout_) return Error{ErrorKind::kInternal, "no keys folder (insecure): no peer keys"};
  const fs::path base = role == KeyRole::kNode ? layout_->NodeKey(id) : layout_->BrokerKey(id);
  return ReadPublicKeyFile(PublicKeyPath(base));
}

std::string ProcessSecurity::Describe() const {
  if (insecure()) return "insecure (plain text)";
  return "curve, key " + KeyFingerprint(*sockets_->public_key()) + " (" + own_name_ + ")";
}

}  // namespace ts::security
