#include "common/security/secure_socket.h"

#include <spdlog/spdlog.h>

#include "common/security/zap_protocol.h"

// A draft option in libzmq 4.3's header, accepted by Debian's library (tests/
// security checks that a server without a handler refuses). Without it
// libzmq admits every CURVE peer when no ZAP handler is bound.
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

namespace ts::security {
namespace {

Error SocketError(std::string what) { return Error{ErrorKind::kInternal, std::move(what)}; }

Status SetOption(zmq::socket_t& socket, int option, const void* value, size_t size, std::string_view name) {
  if (zmq_setsockopt(socket.handle(), option, value, size) != 0) {
    return SocketError("cannot set " + std::string(name) + ": " + zmq_strerror(zmq_errno()));
  }
  return Status::Ok();
}

Status SetInt(zmq::socket_t& socket, int option, int value, std::string_view name) {
  return SetOption(socket, option, &value, sizeof(value), name);
}

Status SetKey(zmq::socket_t& socket, int option, const CurveKey& key, std::string_view name) {
  return SetOption(socket, option, key.data(), key.size(), name);
}

}  // namespace

std::string_view LinkSecurityName(LinkSecurity mode) {
  return mode == LinkSecurity::kCurve ? "curve" : "insecure";
}

Result<LinkSecurity> ChooseLinkSecurity(bool have_keys, bool insecure_flag) {
  if (have_keys && insecure_flag) {
    return SocketError("both keys and --insecure were given; give keys for CURVE, or --insecure alone for plain text");
  }
  if (insecure_flag) return LinkSecurity::kInsecure;
  if (!have_keys) {
    return SocketError("no keys given: cluster links are CURVE by default; give the keys folder "
                       "(made by `tskeys cluster DIR`), or --insecure to run in plain text on a trusted network");
  }
  return LinkSecurity::kCurve;
}

Status MakeCurveServer(zmq::socket_t& socket, const CurveKey& server_secret, std::string_view domain) {
  if (domain.empty()) return SocketError("a CURVE server needs a ZAP domain (roles.h zap_domain)");
  if (!CurveAvailable()) return SocketError("this libzmq has no CURVE (libsodium)");
  for (Status status : {SetInt(socket, ZMQ_CURVE_SERVER, 1, "ZMQ_CURVE_SERVER"),
                        SetKey(socket, ZMQ_CURVE_SECRETKEY, server_secret, "ZMQ_CURVE_SECRETKEY"),
                        SetOption(socket, ZMQ_ZAP_DOMAIN, domain.data(), domain.size(), "ZMQ_ZAP_DOMAIN"),
                        SetInt(socket, ZMQ_ZAP_ENFORCE_DOMAIN, 1, "ZMQ_ZAP_ENFORCE_DOMAIN")}) {
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Status MakeCurveClient(zmq::socket_t& socket, const CurveKeyPair& client_pair, const CurveKey& server_public) {
  if (!CurveAvailable()) return SocketError("this libzmq has no CURVE (libsodium)");
  for (Status status : {SetKey(socket, ZMQ_CURVE_SERVERKEY, server_public, "ZMQ_CURVE_SERVERKEY"),
                        SetKey(socket, ZMQ_CURVE_PUBLICKEY, client_pair.public_key, "ZMQ_CURVE_PUBLICKEY"),
                        SetKey(socket, ZMQ_CURVE_SECRETKEY, client_pair.secret_key, "ZMQ_CURVE_SECRETKEY")}) {
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

std::optional<PeerIdentity> PeerOf(const zmq::message_t& message) {
  const char* user_id = zmq_msg_gets(const_cast<zmq_msg_t*>(message.handle()), "User-Id");
  if (user_id == nullptr) return std::nullopt;
  const std::string_view text(user_id);
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::optional<KeyRole> role = ParseRole(text.substr(0, slash));
  if (!role) return std::nullopt;
  return PeerIdentity{*role, std::string(text.substr(slash + 1))};
}

SocketSecurity SocketSecurity::CurveServer(ZapHandler& zap, CurveKeyPair own) {
  return SocketSecurity(LinkSecurity::kCurve, zap.context(), &zap, own);
}

SocketSecurity SocketSecurity::CurveClient(zmq::context_t& context, CurveKeyPair own) {
  return SocketSecurity(LinkSecurity::kCurve, context, nullptr, own);
}

SocketSecurity SocketSecurity::Insecure(zmq::context_t& context) {
  spdlog::warn("{}", kInsecureWarning);
  return SocketSecurity(LinkSecurity::kInsecure, context, nullptr, CurveKeyPair{});
}

std::optional<CurveKey> SocketSecurity::public_key() const {
  if (insecure()) return std::nullopt;
  return own_.public_key;
}

Result<zmq::socket_t> SocketSecurity::Server(zmq::socket_type type, std::string_view domain) const {
  zmq::socket_t socket(*context_, type);
  if (insecure()) return socket;
  if (zap_ == nullptr) return SocketError("this process connects only (no ZAP handler); it cannot serve CURVE");
  if (!zap_->running()) return SocketError("the ZAP handler has stopped; no CURVE server can be opened");
  if (!zap_->HasDomain(domain)) {
    return SocketError("the ZAP handler has no rule for domain '" + std::string(domain) + "' (roles.h)");
  }
  Status status = MakeCurveServer(socket, own_.secret_key, domain);
  if (!status.ok()) return status.error();
  return socket;
}

Result<zmq::socket_t> SocketSecurity::Client(zmq::socket_type type,
                                             const std::optional<CurveKey>& server_public) const {
  zmq::socket_t socket(*context_, type);
  if (insecure()) return socket;
  if (!server_public) return SocketError("no public key for the server to connect to (CURVE needs it)");
  Status status = MakeCurveClient(socket, own_, *server_public);
  if (!status.ok()) return status.error();
  return socket;
}

}  // namespace ts::security
