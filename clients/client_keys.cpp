#include "clients/client_keys.h"

#include <cstdlib>
#include <filesystem>

#include "common/security/key_files.h"

namespace ts {
namespace fs = std::filesystem;

namespace {

fs::path PairBase(const std::string& key) {
  fs::path base(key);
  const std::string name = base.filename().string();
  for (std::string_view suffix : {security::kPublicKeySuffix, security::kSecretKeySuffix}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      return base.parent_path() / name.substr(0, name.size() - suffix.size());
    }
  }
  return base;
}

}  // namespace

std::string FlagOrEnv(const std::string& flag_value, std::string_view env_name) {
  if (!flag_value.empty()) return flag_value;
  const char* value = std::getenv(std::string(env_name).c_str());
  return value != nullptr ? std::string(value) : std::string();
}

Result<std::optional<ClientCurve>> LoadClientCurve(const std::string& key, const std::string& server_key) {
  if (key.empty() && server_key.empty()) return std::optional<ClientCurve>();
  if (key.empty()) {
    return Error{ErrorKind::kMalformedRequest, "--server-key " + server_key + " needs --key (or " +
                                                   std::string(kClientKeyEnv) + "): the client's own pair"};
  }
  const fs::path base = PairBase(key);
  Result<security::CurveKeyPair> own = security::ReadKeyPair(base);
  if (!own.ok()) return Error{ErrorKind::kMalformedRequest, "--key: " + own.error().message};
  fs::path server_path(server_key);
  if (server_key.empty()) {
    // DIR/keys/ROLE/NAME -> DIR/keys/brokers/broker-1.pub
    server_path = base.parent_path().parent_path() / "brokers" / "broker-1.pub";
    if (!fs::exists(server_path)) {
      return Error{ErrorKind::kMalformedRequest,
                   "no broker key next to --key " + key + " (looked for " + server_path.string() +
                       "); give --server-key FILE (or " + std::string(kServerKeyEnv) + ")"};
    }
  }
  Result<security::CurveKey> server = security::ReadPublicKeyFile(server_path);
  if (!server.ok()) return Error{ErrorKind::kMalformedRequest, "--server-key: " + server.error().message};
  return std::optional<ClientCurve>(ClientCurve{own.value(), server.value()});
}

}  // namespace ts
