#include "common/security/zap_protocol.h"

namespace ts::security {

Result<ZapRequest> ParseZapRequest(std::span<const std::string> frames) {
  if (frames.size() < kZapRequestMinFrames) {
    return Error{ErrorKind::kMalformedRequest, "ZAP request of " + std::to_string(frames.size()) +
                                                   " frames; at least " + std::to_string(kZapRequestMinFrames) +
                                                   " expected"};
  }
  if (frames[0] != kZapVersion) {
    return Error{ErrorKind::kMalformedRequest, "ZAP request of version '" + frames[0] + "'; '" +
                                                   std::string(kZapVersion) + "' expected"};
  }
  ZapRequest request{frames[1], frames[2], frames[3], frames[4], frames[5], {}};
  request.credentials.assign(frames.begin() + kZapRequestMinFrames, frames.end());
  return request;
}

std::vector<std::string> ZapReplyFrames(const ZapReply& reply) {
  return {std::string(kZapVersion), reply.request_id, reply.status_code, reply.status_text, reply.user_id, ""};
}

}  // namespace ts::security
