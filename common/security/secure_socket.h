// The one place where a socket's security is set: CURVE server and client
// options, the ZAP domain, and the explicit plain-text mode.
//
// A binary picks its mode once at start (ChooseLinkSecurity: keys, or
// --insecure; never plain text by default) and makes every cluster socket
// through a SocketSecurity, which sets the options before the shell binds
// or connects (libzmq reads them only then). In CURVE mode a server socket
// is made on the ZAP handler's context and only for a domain the handler
// knows, with ZMQ_ZAP_ENFORCE_DOMAIN set, so no server socket can exist that
// admits a peer without asking the handler.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "common/security/curve_key.h"
#include "common/security/roles.h"
#include "common/security/zap_handler.h"
#include "common/status.h"

namespace ts::security {

enum class LinkSecurity { kCurve, kInsecure };

std::string_view LinkSecurityName(LinkSecurity mode);  // "curve", "insecure"

// What a binary logs (warn) at start, and shows in status, when --insecure.
inline constexpr std::string_view kInsecureWarning =
    "--insecure: cluster links are plain text; anyone who can reach a port can act as a node or a broker, "
    "read every write, and shut the service down";

// From a binary's flags: whether it was given keys, whether --insecure.
// Neither is an error that names both ways out; both is an error too (which
// did the operator mean?).
Result<LinkSecurity> ChooseLinkSecurity(bool have_keys, bool insecure_flag);

// The options themselves, for a socket not yet bound or connected.
// A CURVE server: its secret key, the ZAP domain (non-empty), enforced.
Status MakeCurveServer(zmq::socket_t& socket, const CurveKey& server_secret, std::string_view domain);
// A CURVE client: its own pair, and the public key of the server it connects to.
Status MakeCurveClient(zmq::socket_t& socket, const CurveKeyPair& client_pair, const CurveKey& server_public);

// Who sent `message` on a CURVE server socket: the ZAP handler's user id
// ("node/node-2") that libzmq attaches to every message of an admitted peer.
// nullopt on a plain-text socket. A shell may check the role per message as
// a second line behind the handler.
struct PeerIdentity {
  KeyRole role = KeyRole::kClient;
  std::string name;
};
std::optional<PeerIdentity> PeerOf(const zmq::message_t& message);

class SocketSecurity {
 public:
  // CURVE, for a process that serves: server sockets on `zap`'s context,
  // guarded by it and keyed by `own`; client sockets present `own`.
  static SocketSecurity CurveServer(ZapHandler& zap, CurveKeyPair own);
  // CURVE, for a process that only connects (tsctl, tsbench): Server() fails.
  static SocketSecurity CurveClient(zmq::context_t& context, CurveKeyPair own);
  // Plain text on `context`. Logs kInsecureWarning.
  static SocketSecurity Insecure(zmq::context_t& context);

  // A new socket of `type`, set to serve `domain` once bound.
  Result<zmq::socket_t> Server(zmq::socket_type type, std::string_view domain) const;
  // A new socket of `type`, set to connect to the server whose public key is
  // `server_public` (required in CURVE mode, ignored in plain text).
  Result<zmq::socket_t> Client(zmq::socket_type type, const std::optional<CurveKey>& server_public) const;

  LinkSecurity mode() const { return mode_; }
  bool insecure() const { return mode_ == LinkSecurity::kInsecure; }
  const ZapHandler* zap() const { return zap_; }
  // This process's public key (CURVE mode), e.g. to show its fingerprint at start.
  std::optional<CurveKey> public_key() const;

 private:
  SocketSecurity(LinkSecurity mode, zmq::context_t& context, ZapHandler* zap, CurveKeyPair own)
      : mode_(mode), context_(&context), zap_(zap), own_(own) {}

  LinkSecurity mode_;
  zmq::context_t* context_;
  ZapHandler* zap_;  // null when insecure or client-only
  CurveKeyPair own_;
};

}  // namespace ts::security
