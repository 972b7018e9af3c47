// A cluster binary's security, from its flags: the keys folder (--keys
// DIR/keys, as `tskeys cluster DIR` or `./run.sh up` made it) or --insecure.
//
// OpenProcessSecurity decides once (ChooseLinkSecurity: neither flag is an
// error naming both ways out), reads this process's own pair from the
// cluster's layout, and for a process that serves starts the context's ZAP
// handler over the layout's allow-lists. The result owns the handler: keep it
// alive, after the context and before the sockets it guards. PeerKey reads
// the public key a CURVE client socket needs for the server it connects to.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "common/security/cluster_keys.h"
#include "common/security/secure_socket.h"
#include "common/security/zap_handler.h"

namespace ts::security {

struct SecurityFlags {
  std::string keys_dir;        // --keys: DIR/keys; empty: not given
  bool insecure = false;       // --insecure
  // --client-keys: the client allow-list, a folder of *.pub or a file of keys
  // (allow_list_files.h); empty: the layout's keys/clients.
  std::string client_keys;
};

// Who this process is in the cluster's key layout.
struct OwnKey {
  KeyRole role = KeyRole::kNode;  // kNode or kBroker serve; kClient or kAdmin only connect
  uint32_t id = 0;                // node or broker id (ignored for client and admin)
};

class ProcessSecurity {
 public:
  // `serves`: start a ZAP handler (tsnode, tsbroker); otherwise client sockets only.
  static Result<std::unique_ptr<ProcessSecurity>> Open(zmq::context_t& context, const SecurityFlags& flags,
                                                       OwnKey own, bool serves, ZapHandlerOptions zap_options = {});

  const SocketSecurity& sockets() const { return *sockets_; }
  bool insecure() const { return sockets_->insecure(); }
  ZapHandler* zap() const { return zap_.get(); }
  // The public key of node or broker `id` (CURVE mode): from the layout.
  Result<CurveKey> PeerKey(KeyRole role, uint32_t id) const;
  // "curve, key 0123abcd... (node/node-2)" or "insecure": for the start line and status.
  std::string Describe() const;

 private:
  ProcessSecurity() = default;
  std::unique_ptr<ZapHandler> zap_;
  std::optional<SocketSecurity> sockets_;
  std::optional<ClusterKeyLayout> layout_;
  std::string own_name_;
};

// The layout of the keys folder `keys_dir` (which must be named "keys": the
// layout's paths are relative to its parent). An error names the folder.
Result<ClusterKeyLayout> LayoutOfKeysDir(const std::filesystem::path& keys_dir);

}  // namespace ts::security
