// Pieces both halves of the cluster codec share (private to
// nodes/cluster_codec_*.cpp): the role mapping and the channel names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "schema/cluster_messages.h"
#include "schema/cluster.capnp.h"

namespace ts::cluster {

inline wire::cluster::Role RoleToWire(Role role) {
  switch (role) {
    case Role::kBackup: return wire::cluster::Role::BACKUP;
    case Role::kSyncing: return wire::cluster::Role::SYNCING;
    case Role::kCandidate: return wire::cluster::Role::CANDIDATE;
    case Role::kPrimary: return wire::cluster::Role::PRIMARY;
    case Role::kStopped: return wire::cluster::Role::STOPPED;
  }
  return wire::cluster::Role::CANDIDATE;
}

// nullopt for a role this build does not know (a newer sender).
inline std::optional<Role> RoleFromWire(wire::cluster::Role role) {
  switch (role) {
    case wire::cluster::Role::BACKUP: return Role::kBackup;
    case wire::cluster::Role::SYNCING: return Role::kSyncing;
    case wire::cluster::Role::CANDIDATE: return Role::kCandidate;
    case wire::cluster::Role::PRIMARY: return Role::kPrimary;
    case wire::cluster::Role::STOPPED: return Role::kStopped;
  }
  return std::nullopt;
}

// "peer frame", "node-to-broker frame", ... for error messages.
inline std::string ChannelName(wire::cluster::Channel channel) {
  switch (channel) {
    case wire::cluster::Channel::UNKNOWN: return "cluster frame without a channel";
    case wire::cluster::Channel::PEER: return "peer frame";
    case wire::cluster::Channel::NODE_TO_BROKER: return "node-to-broker frame";
    case wire::cluster::Channel::BROKER_TO_NODE: return "broker-to-node frame";
  }
  return "cluster frame of channel #" + std::to_string(static_cast<uint16_t>(channel));
}

}  // namespace ts::cluster
