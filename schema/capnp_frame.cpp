#include "schema/capnp_frame.h"

#include <capnp/schema.h>
#include <kj/io.h>

#include <cctype>
#include <cstdio>

namespace ts::capnp_frame {

bool IsKnownFrameKind(wire::FrameKind kind) {
  return static_cast<uint16_t>(kind) < capnp::Schema::from<wire::FrameKind>().getEnumerants().size();
}

std::string FrameKindName(wire::FrameKind kind) {
  const auto ordinal = static_cast<uint16_t>(kind);
  if (!IsKnownFrameKind(kind)) {
    return "#" + std::to_string(ordinal) + " (unknown to this build)";
  }
  std::string words;
  const auto enumerants = capnp::Schema::from<wire::FrameKind>().getEnumerants();
  for (char c : std::string_view(enumerants[ordinal].getProto().getName().cStr())) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      words += ' ';
      words += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      words += c;
    }
  }
  return words;
}

std::string FieldPath::Text() const {
  std::string text;
  for (int i = 0; i < depth_; ++i) {
    if (i > 0) text += ", ";
    text += steps_[i].name;
    if (steps_[i].number > 0) text += " " + std::to_string(steps_[i].number);
  }
  return text;
}

std::string EncodeFrame(capnp::MessageBuilder& builder) {
  kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments = builder.getSegmentsForOutput();
  std::string bytes(capnp::computeSerializedSizeInWords(segments) * sizeof(capnp::word), '\0');
  kj::ArrayOutputStream out(
      kj::arrayPtr(reinterpret_cast<kj::byte*>(bytes.data()), bytes.size()));
  capnp::writeMessage(out, segments);
  return bytes;
}

namespace {
// What the caller wanted, for messages: "client request", or "tuplestar frame".
std::string Wanted(wire::FrameKind expected) {
  return expected == wire::FrameKind::UNKNOWN ? "tuplestar frame" : FrameKindName(expected);
}

Error Malformed(std::string message) { return Error{ErrorKind::kMalformedRequest, std::move(message)}; }

std::string Hex32(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}
}  // namespace

Error FrameTooLarge(size_t frame_bytes, size_t limit_bytes) {
  return Error{ErrorKind::kTooLarge, "frame of " + std::to_string(frame_bytes) +
                                         " bytes is over the " + std::to_string(limit_bytes) +
                                         "-byte frame limit; not read"};
}

Error FrameNotWords(size_t frame_bytes, wire::FrameKind expected) {
  if (frame_bytes == 0) return Malformed("empty frame where a " + Wanted(expected) + " was expected");
  return Malformed("frame of " + std::to_string(frame_bytes) +
                   " bytes is not a whole number of 8-byte words, so not a Cap'n Proto message"
                   " (expected a " + Wanted(expected) + ")");
}

Error FrameHasTrailingBytes(size_t trailing_bytes, wire::FrameKind expected) {
  return Malformed(Wanted(expected) + " has " + std::to_string(trailing_bytes) +
                   " bytes after the end of its Cap'n Proto message");
}

// Cap'n Proto says "expected <condition> [<values>]; <reason>.  See
// capnp::ReaderOptions." and the values may be raw bytes from the frame: keep
// the reason, in printable ASCII, for the person reading the error.
Error FrameUnreadable(wire::FrameKind expected, std::string_view why, std::string_view where) {
  if (why.substr(0, 9) == "expected ") {
    size_t reason = why.find("]; ");  // after the values, which may hold "; "
    if (reason != std::string_view::npos) {
      why.remove_prefix(reason + 3);
    } else if ((reason = why.find("; ")) != std::string_view::npos) {
      why.remove_prefix(reason + 2);
    }
  }
  const size_t advice = why.find("  See capnp::ReaderOptions.");
  if (advice != std::string_view::npos) why = why.substr(0, advice);
  std::string message = "malformed " + Wanted(expected) + ": ";
  if (why.empty()) message += "Cap'n Proto could not read it";
  for (char c : why) {
    if (c >= ' ' && c <= '~') {
      message += c;
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(c));
      message += escaped;
    }
  }
  if (!where.empty()) {
    message += " (at ";
    message += where;
    message += ')';
  }
  return Malformed(std::move(message));
}

Status CheckHeader(uint32_t magic, wire::FrameKind kind, uint16_t version,
                   wire::FrameKind expected) {
  if (magic != wire::FRAME_MAGIC) {
    return Malformed("not a tuplestar frame: magic " + Hex32(magic) + ", expected " +
                     Hex32(wire::FRAME_MAGIC) + " (\"TSTR\"); a " + Wanted(expected) + " was expected");
  }
  if (version != wire::WIRE_VERSION) {
    return Malformed("tuplestar wire version " + std::to_string(version) +
                     " is not supported (this build speaks version " +
                     std::to_string(wire::WIRE_VERSION) + ")");
  }
  if (kind == wire::FrameKind::UNKNOWN) {
    return Malformed("tuplestar frame has no kind (kind 0) where a " + Wanted(expected) +
                     " was expected");
  }
  if (expected == wire::FrameKind::UNKNOWN) {
    if (!IsKnownFrameKind(kind)) {
      return Malformed("tuplestar frame of kind " + FrameKindName(kind));
    }
    return Status::Ok();
  }
  if (kind != expected) {
    return Malformed("tuplestar frame of kind " + FrameKindName(kind) + " where a " +
                     FrameKindName(expected) + " was expected");
  }
  return Status::Ok();
}

Result<wire::FrameKind> PeekFrameKind(std::string_view frame, const DecodeLimits& limits) {
  return ReadFrame<wire::FrameKind>(
      frame, limits, wire::FrameKind::UNKNOWN,
      [](capnp::MessageReader& reader, FieldPath&) -> Result<wire::FrameKind> {
        wire::FrameHeader::Reader header = reader.getRoot<wire::FrameHeader>();
        Status checked = CheckHeader(header.getMagic(), header.getKind(), header.getVersion(),
                                     wire::FrameKind::UNKNOWN);
        if (!checked.ok()) return checked.error();
        return header.getKind();
      });
}

}  // namespace ts::capnp_frame
