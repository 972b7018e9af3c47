// Safe framing for every tuplestar frame kind (internal to schema/).
//
// InitFrame + EncodeFrame write one flat, unpacked Cap'n Proto message whose
// root is a frame struct of schema/tuplestar.capnp with its header (magic, kind,
// version) filled in. DecodeFrame is the only way bytes from a socket become a
// Cap'n Proto reader: it refuses frames over the size limit unread, copies the
// rest into aligned words, reads under traversal and nesting limits, checks the
// header, and runs the caller's convert function inside the same try block, so
// every capnp exception (bad pointer, truncation, limit hit, also one raised by
// a lazy field read during conversion) comes back as an Error value that says
// what was wrong and, through the FieldPath the converter keeps current, where.
// Convert must therefore copy everything it needs into plain C++ values: the
// reader is gone when DecodeFrame returns.
//
// To add a frame kind: a struct in tuplestar.capnp that starts with magic @0,
// kind @1, version @2 and declares `const frameKind :FrameKind = ...`, then
//   EncodeX: BuildFrame(estimated_words, [&](capnp::MessageBuilder& b) {
//              auto out = InitFrame<wire::X>(b); ... });
//   DecodeX: DecodeFrame<T, wire::X>(frame, limits, ConvertX), where
//            ConvertX(wire::X::Reader, FieldPath&) returns T or Result<T>.
// PeekFrameKind tells which kind a frame is, for sockets that carry several.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/status.h"
#include "schema/codec.h"
#include "schema/tuplestar.capnp.h"

namespace ts::capnp_frame {

// Frames up to this many words decode from a stack buffer (no allocation).
inline constexpr size_t kStackFrameWords = 128;

// A legitimate message reads each of its words once. Capping traversal at this
// multiple of the frame's size stops a small hostile frame (many pointers at
// one object, or a huge list of zero-sized structs) from making the decoder
// allocate far more than it received.
inline constexpr uint64_t kTraversalWordsPerFrameWord = 2;
inline constexpr uint64_t kTraversalSlackWords = 64;

// "clientRequest" -> "client request"; "#9 (unknown to this build)" for kinds
// this build does not know.
std::string FrameKindName(wire::FrameKind kind);
bool IsKnownFrameKind(wire::FrameKind kind);

// Where a conversion is inside a frame, so that an error can say where the
// bytes went bad: "pair 3, value element 2". Converters keep it current with
// plain stores (static names, 1-based numbers); text is made only on error.
class FieldPath {
 public:
  static constexpr int kMaxDepth = 4;

  // Sets step `depth` (0: a field of the root) and forgets deeper steps.
  // number 0 means a single field rather than a list element.
  void At(int depth, const char* name, size_t number = 0) {
    if (depth < 0 || depth >= kMaxDepth) return;
    steps_[depth] = Step{name, number};
    depth_ = depth + 1;
  }
  std::string Text() const;  // "" before the first At

 private:
  struct Step {
    const char* name = "";
    size_t number = 0;
  };
  Step steps_[kMaxDepth];
  int depth_ = 0;
};

// Sets the header fields of a frame root.
template <class Schema>
typename Schema::Builder InitFrame(capnp::MessageBuilder& builder) {
  typename Schema::Builder root = builder.template initRoot<Schema>();
  root.setMagic(wire::FRAME_MAGIC);
  root.setKind(Schema::FRAME_KIND);
  root.setVersion(wire::WIRE_VERSION);
  return root;
}

// The builder's message as flat bytes (segment table + segments), one copy.
std::string EncodeFrame(capnp::MessageBuilder& builder);

// Frames estimated at up to this many words are built on the stack.
inline constexpr size_t kStackBuildWords = 256;

// Builds a message with `fill` (capnp::MessageBuilder& -> void) in a first
// segment of `estimated_words` (on the stack when small, so a small frame
// costs no allocation but its std::string) and returns its frame bytes. An
// underestimate only costs more segments.
template <class Fill>
std::string BuildFrame(size_t estimated_words, Fill&& fill) {
  if (estimated_words <= kStackBuildWords) {
    capnp::word scratch[kStackBuildWords];
    std::memset(scratch, 0, estimated_words * sizeof(capnp::word));  // capnp requires zeroes
    capnp::MallocMessageBuilder builder(kj::arrayPtr(scratch, estimated_words));
    fill(static_cast<capnp::MessageBuilder&>(builder));
    return EncodeFrame(builder);
  }
  capnp::MallocMessageBuilder builder(static_cast<unsigned>(estimated_words));
  fill(static_cast<capnp::MessageBuilder&>(builder));
  return EncodeFrame(builder);
}

// Errors DecodeFrame builds; exposed so that the messages read the same for
// every frame kind.
Error FrameTooLarge(size_t frame_bytes, size_t limit_bytes);
Error FrameNotWords(size_t frame_bytes, wire::FrameKind expected);
Error FrameHasTrailingBytes(size_t trailing_bytes, wire::FrameKind expected);
// `why` is Cap'n Proto's exception text; `where` a FieldPath's text.
Error FrameUnreadable(wire::FrameKind expected, std::string_view why, std::string_view where = {});
// Ok when magic, kind and version are what a frame of `expected` kind carries
// (expected UNKNOWN: any kind this build knows).
Status CheckHeader(uint32_t magic, wire::FrameKind kind, uint16_t version,
                   wire::FrameKind expected);

// The kind of a tuplestar frame, for a socket that carries several kinds.
// Errors like DecodeFrame for non-tuplestar bytes.
Result<wire::FrameKind> PeekFrameKind(std::string_view frame, const DecodeLimits& limits = {});

// Reads `frame` as a Cap'n Proto message and hands it to `read`
// ((capnp::MessageReader&, FieldPath&) -> Result<T>) inside the try block.
// `expected` names the frame kind wanted, for messages (FrameKind::UNKNOWN:
// any tuplestar frame).
template <class T, class Read>
Result<T> ReadFrame(std::string_view frame, const DecodeLimits& limits, wire::FrameKind expected,
                    Read&& read) {
  if (frame.size() > limits.max_frame_bytes) {
    return FrameTooLarge(frame.size(), limits.max_frame_bytes);
  }
  if (frame.empty() || frame.size() % sizeof(capnp::word) != 0) {
    return FrameNotWords(frame.size(), expected);
  }
  const size_t word_count = frame.size() / sizeof(capnp::word);

  // A ZeroMQ frame has no alignment promise; Cap'n Proto needs 8-byte words.
  capnp::word stack_words[kStackFrameWords];
  kj::Array<capnp::word> heap_words;
  capnp::word* words = stack_words;
  FieldPath path;
  try {
    if (word_count > kStackFrameWords) {
      heap_words = kj::heapArray<capnp::word>(word_count);
      words = heap_words.begin();
    }
    std::memcpy(words, frame.data(), frame.size());
    const kj::ArrayPtr<const capnp::word> aligned(words, word_count);

    capnp::ReaderOptions options;
    const uint64_t size_cap = word_count * kTraversalWordsPerFrameWord + kTraversalSlackWords;
    options.traversalLimitInWords =
        limits.traversal_limit_words < size_cap ? limits.traversal_limit_words : size_cap;
    options.nestingLimit = limits.nesting_limit;

    capnp::FlatArrayMessageReader reader(aligned, options);
    if (reader.getEnd() != aligned.end()) {
      const size_t trailing_words = static_cast<size_t>(aligned.end() - reader.getEnd());
      return FrameHasTrailingBytes(trailing_words * sizeof(capnp::word), expected);
    }
    return read(static_cast<capnp::MessageReader&>(reader), path);
  } catch (const kj::Exception& e) {
    const kj::StringPtr description = e.getDescription();  // may hold NUL bytes
    return FrameUnreadable(expected, std::string_view(description.begin(), description.size()),
                           path.Text());
  } catch (const std::exception& e) {
    return FrameUnreadable(expected, e.what(), path.Text());
  } catch (...) {
    return FrameUnreadable(expected, "unknown exception", path.Text());
  }
}

// Decodes `frame` as a Schema frame (header checked) and converts its root with
// `convert`: (Schema::Reader, FieldPath&) or (Schema::Reader), returning T or
// Result<T>. Never throws.
template <class T, class Schema, class Convert>
Result<T> DecodeFrame(std::string_view frame, const DecodeLimits& limits, Convert&& convert) {
  constexpr wire::FrameKind kExpected = Schema::FRAME_KIND;
  using Reader = typename Schema::Reader;
  return ReadFrame<T>(frame, limits, kExpected,
                      [&](capnp::MessageReader& reader, FieldPath& path) -> Result<T> {
    path.At(0, "frame root");
    Reader root = reader.getRoot<Schema>();
    Status header = CheckHeader(root.getMagic(), root.getKind(), root.getVersion(), kExpected);
    if (!header.ok()) return header.error();
    if constexpr (std::is_invocable_v<Convert&, Reader, FieldPath&>) {
      return Result<T>(convert(root, path));
    } else {
      return Result<T>(convert(root));
    }
  });
}

}  // namespace ts::capnp_frame
