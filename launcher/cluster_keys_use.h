// The launcher and the cluster's keys: made on first start (EnsureClusterKeys
// under DIR/keys, never overwritten), handed to every part (--keys), and used
// by the launcher itself: the client pair for status probes and `./run.sh
// cli`, the admin pair for `./run.sh down`'s shutdown command.
#pragma once

#include <optional>
#include <string>

#include "clients/client_transport.h"
#include "common/security/roles.h"
#include "common/status.h"
#include "launcher/cluster_layout.h"

namespace ts::launcher {

// Creates what is missing of DIR/keys for `layout`'s nodes and its broker and
// sets layout.keys_dir. Returns a line for the operator ("keys: 5 pairs made
// in DIR/keys" or "keys: DIR/keys (kept)").
Result<std::string> EnsureLayoutKeys(const std::string& cluster_dir, ClusterLayout& layout);

// The base (BASE.pub, BASE.secret) of the cluster's client or admin pair; empty when the layout has no keys.
std::string LauncherKeyBase(const ClusterLayout& layout, security::KeyRole role);

// The client or admin pair with the broker's public key; nullopt when the
// layout runs --insecure. An unreadable key is an error naming the file.
Result<std::optional<ClientCurve>> LauncherCurve(const ClusterLayout& layout, security::KeyRole role);
// The same, ending the command (Die) with the error.
std::optional<ClientCurve> LauncherCurveOrDie(const ClusterLayout& layout, security::KeyRole role);

}  // namespace ts::launcher
