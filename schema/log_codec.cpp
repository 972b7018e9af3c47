// schema/log_codec.h: log and snapshot payloads to Cap'n Proto and back.
//
// The LogEntry / TextPair / ClientRecord parts mirror the cluster codec's
// (cluster_codec_encode.cpp, cluster_codec_decode.cpp) on the same schema
// structs, so a logged entry and a replicated one read alike.
#include "schema/log_codec.h"

#include <capnp/message.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "schema/capnp_frame.h"
#include "schema/cluster_codec.h"
#include "schema/codec.h"
#include "schema/log.capnp.h"

namespace ts::wal {
namespace {

namespace cw = ts::wire::cluster;
namespace lw = ts::wire::log;
using capnp_frame::FieldPath;

constexpr DecodeLimits kPayloadLimits{
    .max_frame_bytes = kMaxRecordPayloadBytes,
    .traversal_limit_words = uint64_t{1} << 32,  // ReadFrame caps it at 2x the payload's words
    .nesting_limit = 16,
};

// ------------------------------------------------------------ encoding

size_t TextWords(size_t bytes) { return 1 + (bytes + sizeof(capnp::word)) / sizeof(capnp::word); }

capnp::Text::Reader AsText(std::string_view text) { return capnp::Text::Reader(text.data(), text.size()); }
capnp::Data::Reader AsData(const std::string& bytes) {
  return capnp::Data::Reader(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size());
}

void SetPosition(cw::LogPosition::Builder out, const LogPosition& position) {
  out.setTerm(position.term);
  out.setSeq(position.seq);
}

template <class Pairs>
void SetTextPairs(capnp::List<cw::TextPair>::Builder out, const Pairs& pairs) {
  unsigned i = 0;
  for (const auto& [key, value] : pairs) {
    out[i].setKey(AsText(key));
    out[i].setValue(AsText(value));
    ++i;
  }
}

size_t EntryWords(const LogEntry& entry, const std::string& reply) {
  size_t words = 16 + TextWords(reply.size());
  for (const auto& [key, value] : entry.effect.upserts) words += 3 + TextWords(key.size()) + TextWords(value.size());
  for (const std::string& key : entry.effect.erased_keys) words += 1 + TextWords(key.size());
  return words;
}

void SetEntry(cw::LogEntry::Builder out, const LogEntry& entry, const std::string& reply) {
  SetPosition(out.initPosition(), entry.position);
  out.setClientId(entry.request_id.client_id);
  out.setRequestNumber(entry.request_id.request_number);
  cw::WriteEffect::Builder effect = out.initEffect();
  SetTextPairs(effect.initUpserts(static_cast<unsigned>(entry.effect.upserts.size())), entry.effect.upserts);
  auto erased = effect.initErasedKeys(static_cast<unsigned>(entry.effect.erased_keys.size()));
  for (unsigned k = 0; k < entry.effect.erased_keys.size(); ++k) erased.set(k, AsText(entry.effect.erased_keys[k]));
  if (entry.reply) out.setReply(AsData(reply));
}

template <class Schema, class Fill>
std::string Build(size_t words, Fill&& fill) {
  return capnp_frame::BuildFrame(words + 8, [&](capnp::MessageBuilder& builder) {
    fill(builder.initRoot<Schema>());
  });
}

std::string EncodeBatch(uint64_t term, uint64_t first_seq, uint64_t last_seq, std::span<const LogEntry> entries) {
  std::vector<std::string> replies(entries.size());
  size_t words = 8;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].reply) replies[i] = EncodeReply(*entries[i].reply);
    words += EntryWords(entries[i], replies[i]);
  }
  return Build<lw::EntryBatch>(words, [&](lw::EntryBatch::Builder out) {
    out.setTerm(term);
    out.setFirstSeq(first_seq);
    out.setLastSeq(last_seq);
    auto list = out.initEntries(static_cast<unsigned>(entries.size()));
    for (unsigned i = 0; i < entries.size(); ++i) SetEntry(list[i], entries[i], replies[i]);
  });
}

// ------------------------------------------------------------ decoding

// A value the bytes hold but this build cannot take; ReadFrame reports it.
struct BadField : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string ToString(capnp::Text::Reader text) { return std::string(text.cStr(), text.size()); }
std::string ToString(capnp::Data::Reader data) {
  return std::string(reinterpret_cast<const char*>(data.begin()), data.size());
}

LogPosition ToPosition(cw::LogPosition::Reader in) { return LogPosition{in.getTerm(), in.getSeq()}; }

Reply ToReply(capnp::Data::Reader bytes) {
  Result<Reply> reply = DecodeReply(ToString(bytes), cluster::kClusterDecodeLimits);
  if (!reply.ok()) throw BadField("embedded client reply: " + reply.error().message);
  return std::move(reply).value();
}

void CheckVersion(uint16_t version, const char* what) {
  if (version != lw::LOG_FORMAT_VERSION) {
    throw BadField(std::string(what) + " of log format version " + std::to_string(version) +
                   "; this build reads version " + std::to_string(lw::LOG_FORMAT_VERSION));
  }
}

std::vector<std::pair<std::string, std::string>> ToTextPairs(capnp::List<cw::TextPair>::Reader in,
                                                              FieldPath& path, int depth) {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(in.size());
  for (unsigned i = 0; i < in.size(); ++i) {
    path.At(depth, "pair", i + 1);
    pairs.emplace_back(ToString(in[i].getKey()), ToString(in[i].getValue()));
  }
  return pairs;
}

LogEntry ToEntry(cw::LogEntry::Reader in, FieldPath& path) {
  LogEntry entry;
  entry.position = ToPosition(in.getPosition());
  entry.request_id = RequestId{in.getClientId(), in.getRequestNumber()};
  const cw::WriteEffect::Reader effect = in.getEffect();
  path.At(2, "upserts");
  entry.effect.upserts = ToTextPairs(effect.getUpserts(), path, 3);
  path.At(2, "erased keys");
  const auto erased = effect.getErasedKeys();
  entry.effect.erased_keys.reserve(erased.size());
  for (unsigned k = 0; k < erased.size(); ++k) entry.effect.erased_keys.push_back(ToString(erased[k]));
  path.At(2, "reply");
  if (in.hasReply()) entry.reply = ToReply(in.getReply());
  return entry;
}

EntryBatch ToBatch(lw::EntryBatch::Reader in, FieldPath& path) {
  EntryBatch batch{in.getTerm(), in.getFirstSeq(), in.getLastSeq(), {}};
  const auto entries = in.getEntries();
  batch.entries.reserve(entries.size());
  for (unsigned i = 0; i < entries.size(); ++i) {
    path.At(1, "entry", i + 1);
    batch.entries.push_back(ToEntry(entries[i], path));
  }
  return batch;
}

SnapshotClients ToClients(lw::SnapshotClients::Reader in, FieldPath& path) {
  SnapshotClients chunk{in.getIndex(), {}};
  const auto rows = in.getClients();
  chunk.clients.reserve(rows.size());
  for (unsigned i = 0; i < rows.size(); ++i) {
    path.At(1, "client row", i + 1);
    const auto row = rows[i];
    chunk.clients.push_back(ClientRecord{row.getClientId(), row.getRequestNumber(), row.getSeq(), ToReply(row.getReply())});
  }
  return chunk;
}

// Reads `payload` as one Cap'n Proto message and converts its root; every
// failure becomes a kInternal Error naming the record type.
template <class T, class Convert>
Result<T> Read(uint8_t type, std::string_view payload, Convert&& convert) {
  Result<T> result = capnp_frame::ReadFrame<T>(
      payload, kPayloadLimits, wire::FrameKind::UNKNOWN,
      [&](capnp::MessageReader& reader, FieldPath& path) -> Result<T> { return convert(reader, path); });
  if (result.ok()) return result;
  std::string message = result.error().message;
  static const std::string kGeneric = "tuplestar frame";
  const std::string name = RecordTypeName(type) + " record";
  for (size_t at = message.find(kGeneric); at != std::string::npos; at = message.find(kGeneric, at)) {
    message.replace(at, kGeneric.size(), name);
    at += name.size();
  }
  if (message.find(name) == std::string::npos) message = name + ": " + message;
  return Error{ErrorKind::kInternal, std::move(message)};
}

Error WrongFileKind(uint8_t type, const char* where) {
  return Error{ErrorKind::kInternal, RecordTypeName(type) + " record found in " + where};
}

}  // namespace

uint16_t LogFormatVersion() { return lw::LOG_FORMAT_VERSION; }

std::string RecordTypeName(uint8_t type) {
  switch (static_cast<RecordType>(type)) {
    case RecordType::kSegmentHeader: return "segment header";
    case RecordType::kEntryBatch: return "entry batch";
    case RecordType::kTermChange: return "term change";
    case RecordType::kVote: return "vote";
    case RecordType::kSnapshotHeader: return "snapshot header";
    case RecordType::kSnapshotPairs: return "snapshot pairs";
    case RecordType::kSnapshotClients: return "snapshot clients";
    case RecordType::kSnapshotEnd: return "snapshot end";
  }
  return "type #" + std::to_string(type);
}

bool IsKnownRecordType(uint8_t type) { return RecordTypeName(type).rfind("type #", 0) != 0; }

std::string EncodePayload(const SegmentHeader& record) {
  return Build<lw::SegmentHeader>(8, [&](lw::SegmentHeader::Builder out) {
    out.setFormatVersion(lw::LOG_FORMAT_VERSION);
    out.setNumber(record.number);
    SetPosition(out.initBase(), record.base);
  });
}

std::string EncodeEntryBatch(std::span<const LogEntry> entries) {
  return EncodeBatch(entries.front().position.term, entries.front().position.seq, entries.back().position.seq,
                     entries);
}

std::string EncodePayload(const EntryBatch& record) {
  return EncodeBatch(record.term, record.first_seq, record.last_seq, record.entries);
}

std::string EncodePayload(const TermChange& record) {
  return Build<lw::TermChange>(2, [&](lw::TermChange::Builder out) { out.setTerm(record.term); });
}

std::string EncodePayload(const Vote& record) {
  return Build<lw::Vote>(3, [&](lw::Vote::Builder out) {
    out.setTerm(record.term);
    out.setVotedFor(record.voted_for);
  });
}

std::string EncodePayload(const SnapshotHeader& record) {
  return Build<lw::SnapshotHeader>(8, [&](lw::SnapshotHeader::Builder out) {
    out.setFormatVersion(lw::LOG_FORMAT_VERSION);
    out.setFirstSegment(record.first_segment);
    SetPosition(out.initAt(), record.at);
    out.setTerm(record.term);
    out.setVotedFor(record.voted_for);
  });
}

std::string EncodePayload(const SnapshotPairs& record) {
  size_t words = 4;
  for (const auto& [key, value] : record.pairs) words += 3 + TextWords(key.size()) + TextWords(value.size());
  return Build<lw::SnapshotPairs>(words, [&](lw::SnapshotPairs::Builder out) {
    out.setIndex(record.index);
    SetTextPairs(out.initPairs(static_cast<unsigned>(record.pairs.size())), record.pairs);
  });
}

std::string EncodePayload(const SnapshotClients& record) {
  std::vector<std::string> replies(record.clients.size());
  size_t words = 4;
  for (size_t i = 0; i < record.clients.size(); ++i) {
    replies[i] = EncodeReply(record.clients[i].reply);
    words += 6 + TextWords(replies[i].size());
  }
  return Build<lw::SnapshotClients>(words, [&](lw::SnapshotClients::Builder out) {
    out.setIndex(record.index);
    auto rows = out.initClients(static_cast<unsigned>(record.clients.size()));
    for (unsigned i = 0; i < record.clients.size(); ++i) {
      rows[i].setClientId(record.clients[i].client_id);
      rows[i].setRequestNumber(record.clients[i].request_number);
      rows[i].setSeq(record.clients[i].seq);
      rows[i].setReply(AsData(replies[i]));
    }
  });
}

std::string EncodePayload(const SnapshotEnd& record) {
  return Build<lw::SnapshotEnd>(4, [&](lw::SnapshotEnd::Builder out) {
    out.setPairCount(record.pair_count);
    out.setClientCount(record.client_count);
    out.setChunkCount(record.chunk_count);
    out.setContentCrc(record.content_crc);
  });
}

RecordType RecordTypeOf(const LogRecord& record) {
  static constexpr RecordType kTypes[] = {RecordType::kSegmentHeader, RecordType::kEntryBatch,
                                          RecordType::kTermChange, RecordType::kVote};
  return kTypes[record.index()];
}

RecordType RecordTypeOf(const SnapshotRecord& record) {
  static constexpr RecordType kTypes[] = {RecordType::kSnapshotHeader, RecordType::kSnapshotPairs,
                                          RecordType::kSnapshotClients, RecordType::kSnapshotEnd};
  return kTypes[record.index()];
}

Result<LogRecord> DecodeLogRecord(uint8_t type, std::string_view payload) {
  using R = Result<LogRecord>;
  switch (static_cast<RecordType>(type)) {
    case RecordType::kSegmentHeader:
      return Read<LogRecord>(type, payload, [](capnp::MessageReader& reader, FieldPath& path) -> R {
        path.At(0, "segment header");
        const auto in = reader.getRoot<lw::SegmentHeader>();
        CheckVersion(in.getFormatVersion(), "a segment");
        return LogRecord{SegmentHeader{in.getNumber(), ToPosition(in.getBase())}};
      });
    case RecordType::kEntryBatch:
      return Read<LogRecord>(type, payload, [](capnp::MessageReader& reader, FieldPath& path) -> R {
        path.At(0, "entry batch");
        return LogRecord{ToBatch(reader.getRoot<lw::EntryBatch>(), path)};
      });
    case RecordType::kTermChange:
      return Read<LogRecord>(type, payload, [](capnp::MessageReader& reader, FieldPath& path) -> R {
        path.At(0, "term change");
        return LogRecord{TermChange{reader.getRoot<lw::TermChange>().getTerm()}};
      });
    case RecordType::kVote:
      return Read<LogRecord>(type, payload, [](capnp::MessageReader& reader, FieldPath& path) -> R {
        path.At(0, "vote");
        const auto in = reader.getRoot<lw::Vote>();
        return LogRecord{Vote{in.getTerm(), in.getVotedFor()}};
      });
    default:
      break;
  }
  if (IsKnownRecordType(type)) return WrongFileKind(type, "a log segment");
  return Error{ErrorKind::kInternal, "record " + RecordTypeName(type) +
                                         " is unknown to this build (written by a newer tuplestar?)"};
}

Result<SnapshotRecord> DecodeSnapshotRecord(uint8_t type, std::string_view payload) {
  using R = Result<SnapshotRecord>;
  switch (static_cast<RecordType>(type)) {
    case RecordType::kSnapshotHeader:
      return Read<SnapshotRecord>(type, payload, [](capnp::MessageReader& reader, FieldPath& path) -> R {
        path.At(0, "snapshot header");
        const auto in = reader.getRoot<lw::SnapshotHeader>();
        CheckVersion(in.getFormatVersion(), "a snapshot");
        return SnapshotRecord{
            SnapshotHeader{in.getFirstSegment(), ToPosition(in.getAt()), in.getTerm(), in.getVotedFor()}};
      });
    case RecordType::kSnapshotPairs:
      return Read<SnapshotRecord>(type, payload, [](capnp::MessageReader& reader, FieldPath& path) -> R {
        path.At(0, "snapshot pairs");
        const auto in = reader.getRoot<lw::SnapshotPairs>();
        return SnapshotRecord{SnapshotPairs{in.getIndex(), ToTextPairs(in.getPairs(), path, 1)}};
      });
    case RecordType::kSnapshotClients:
      return Read<SnapshotRecord>(type, payload, [](capnp::MessageReader& reader, FieldPath& path) -> R {
        path.At(0, "snapshot clients");
        return SnapshotRecord{ToClients(reader.getRoot<lw::SnapshotClients>(), path)};
      });
    case RecordType::kSnapshotEnd:
      return Read<SnapshotRecord>(type, payload, [](capnp::MessageReader& reader, FieldPath& path) -> R {
        path.At(0, "snapshot end");
        const auto in = reader.getRoot<lw::SnapshotEnd>();
        return SnapshotRecord{
            SnapshotEnd{in.getPairCount(), in.getClientCount(), in.getChunkCount(), in.getContentCrc()}};
      });
    default:
      break;
  }
  if (IsKnownRecordType(type)) return WrongFileKind(type, "a snapshot file");
  return Error{ErrorKind::kInternal, "record " + RecordTypeName(type) +
                                         " is unknown to this build (written by a newer tuplestar?)"};
}

}  // namespace ts::wal
