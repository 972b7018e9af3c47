// The ZAP wire (ZeroMQ RFC 27): the frames libzmq sends a handler when a peer
// completes a security handshake on a socket with a ZAP domain, and the
// frames of the handler's answer. Pure: frames in, values out.
//
// Request: "1.0", request id, domain, address, routing id, mechanism, then
// the mechanism's credentials (CURVE: the client's 32-byte public key).
// Reply: "1.0", request id, status code ("200" admitted, "400" refused,
// "500" the request was not understood), status text, user id, metadata.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ts::security {

inline constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
inline constexpr std::string_view kZapVersion = "1.0";
inline constexpr size_t kZapRequestMinFrames = 6;  // without credentials

namespace zap_status {
inline constexpr std::string_view kAdmitted = "200";
inline constexpr std::string_view kRefused = "400";
inline constexpr std::string_view kFailed = "500";
}  // namespace zap_status

struct ZapRequest {
  std::string request_id;
  std::string domain;
  std::string address;     // the peer's IP address, as libzmq saw it
  std::string routing_id;  // the peer's ZMQ_ROUTING_ID, often empty
  std::string mechanism;   // "NULL", "PLAIN", "CURVE", "GSSAPI"
  std::vector<std::string> credentials;
};

// The request in `frames`, or an error saying what is wrong with them.
Result<ZapRequest> ParseZapRequest(std::span<const std::string> frames);

struct ZapReply {
  std::string request_id;
  std::string status_code;
  std::string status_text;
  std::string user_id;  // the "User-Id" property of the peer's messages
};

// Six frames; the metadata frame is empty.
std::vector<std::string> ZapReplyFrames(const ZapReply& reply);

}  // namespace ts::security
