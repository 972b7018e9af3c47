// A client's CURVE keys, from its flags or environment: its own pair (--key
// BASE, or TUPLESTAR_KEY) and the broker's public key (--server-key FILE, or
// TUPLESTAR_SERVER_KEY). A pair inside a cluster's keys folder
// (DIR/keys/clients/client, DIR/keys/admins/admin) finds the broker's key
// itself: DIR/keys/brokers/broker-1.pub. No key at all: plain text, which a
// CURVE broker never answers (for --clients-open or --insecure clusters).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "clients/client_transport.h"
#include "common/status.h"

namespace ts {

inline constexpr std::string_view kClientKeyEnv = "TUPLESTAR_KEY";
inline constexpr std::string_view kServerKeyEnv = "TUPLESTAR_SERVER_KEY";

// `key`: BASE, BASE.pub or BASE.secret of the client's pair; `server_key`: a
// public key file, or empty for the keys folder's broker-1.pub. Both empty:
// nullopt (plain text). Errors name the file and the flag.
Result<std::optional<ClientCurve>> LoadClientCurve(const std::string& key, const std::string& server_key);

// The flag if given, else the environment variable, else empty.
std::string FlagOrEnv(const std::string& flag_value, std::string_view env_name);

}  // namespace ts
