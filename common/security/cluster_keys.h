// Where a cluster's keys live, and making the ones that are missing.
//
//   DIR/keys/                 mode 0700
//     nodes/node-ID.{pub,secret}      one pair per node
//     brokers/broker-ID.{pub,secret}  one pair per broker
//     admins/admin.{pub,secret}       the admin pair (shutdown)
//     clients/client.{pub,secret}     the cluster's client pair (tsctl, run.sh cli)
//
// Each role folder is also that role's allow-list: every *.pub in it is a key
// of that role (allow_list_files.h), so admitting another client is copying
// its .pub into keys/clients/ (and a reload), and retiring a node's key is
// removing its files. EnsureClusterKeys creates what is missing and never
// overwrites: existing pairs are checked (secret mode, public matches secret)
// and kept; a secret whose .pub was lost gets it back; a .pub without its
// secret is an error, since the pair cannot be made again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <vector>

#include "common/security/curve_key.h"
#include "common/security/roles.h"
#include "common/status.h"

namespace ts::security {

inline constexpr unsigned kKeyDirMode = 0700;

class ClusterKeyLayout {
 public:
  explicit ClusterKeyLayout(std::filesystem::path cluster_dir);

  const std::filesystem::path& keys_dir() const { return keys_dir_; }
  std::filesystem::path RoleDir(KeyRole role) const;  // keys/nodes, keys/brokers, keys/admins, keys/clients
  // The BASE of a pair (key_files.h adds .pub / .secret).
  std::filesystem::path NodeKey(uint32_t node_id) const;      // keys/nodes/node-ID
  std::filesystem::path BrokerKey(uint32_t broker_id) const;  // keys/brokers/broker-ID
  std::filesystem::path AdminKey() const;                     // keys/admins/admin
  std::filesystem::path ClientKey() const;                    // keys/clients/client
  // Every role's allow-list: its folder.
  std::map<KeyRole, std::filesystem::path> AllowListSources() const;

 private:
  std::filesystem::path keys_dir_;
};

struct EnsuredKeys {
  std::vector<std::filesystem::path> created;   // new pairs (their BASE)
  std::vector<std::filesystem::path> kept;      // pairs that were there and check out
  std::vector<std::filesystem::path> restored;  // public files derived again from their secret
};

// Creates DIR/keys/ and the pairs of `node_ids`, `broker_ids` (each >= 1), the
// admin and the client that are missing. Stops at the first problem, naming
// the file; pairs made before it stay (a re-run continues).
Result<EnsuredKeys> EnsureClusterKeys(const std::filesystem::path& cluster_dir, std::span<const uint32_t> node_ids,
                                      std::span<const uint32_t> broker_ids);

// One pair at `base`, with the same rules (creates the parent folder).
enum class EnsuredPair { kCreated, kKept, kRestored };
Result<EnsuredPair> EnsureKeyPair(const std::filesystem::path& base);

}  // namespace ts::security
