// How tsctl shows replies: a readable form for people (tables of pairs,
// not-added pairs with reasons in words, errors in plain words) and a JSON
// form for scripts, one object per reply on one line:
//   {"ok":bool,"op":"GET","pairs":[["key,text","value,text"],...],
//    "rejected":[{"key":"..","value":"..","reason":"key_present"}],
//    "error":{"kind":"..","message":".."}|null,"served_by":ID,"term":N}
// (a rejection of reason malformed or too_large also has "detail": why, in
// words; a GET page that ended at its --limit with more matches after it also
// has "more":true). ping and count have their own shapes:
//   {"ok":true,"op":"PING","rtt_ms":0.41,"error":null,"served_by":2,"term":3}
//   {"ok":true,"op":"COUNT","count":N,"error":null,"served_by":2,"term":3}
// When no reply came at all (the client's own failure), served_by and term
// are null and error says why. Pure functions: no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "clients/client.h"
#include "common/status.h"
#include "common/tuple.h"
#include "schema/messages.h"

namespace ts::tsctl {

std::string_view PlainErrorKind(ErrorKind kind);         // "service refused", ...
std::string_view PlainRejectReason(RejectReason reason);  // "key already present", ...

// A tuple's text form for a terminal: bytes outside printable ASCII as \xNN,
// an empty tuple as "(empty)".
std::string DisplayTuple(const Tuple& tuple);

// Why a pair was rejected, in words: for malformed and too large, which
// element of which tuple and the rule it breaks ("malformed key: each element
// is one or more ASCII letters or digits [A-Za-z0-9]; 'ü' at element 1 is
// not"); for the others, PlainRejectReason.
std::string ExplainRejection(const Rejection& rejection);

// A table cell for a rejected tuple: its display text, cut to
// kMaxRejectedCellChars with the full size in bytes when longer.
std::string AbbreviatedTuple(const Tuple& tuple);

// Rows as aligned columns (two blanks apart), one line each.
std::string TextTable(const std::vector<std::vector<std::string>>& rows);

// Readable forms; each ends with a newline.
std::string FormatReply(const Reply& reply);
// A successful STATUS reply laid out as docs/PROTOCOL.md "Status request"
// says (tsctl_status_format.cpp); FormatReply uses it for op STATUS.
std::string FormatStatus(const Reply& reply);
std::string FormatFailure(const Error& error);  // no reply: the client's own error
// ping's and count's lines: "pong from node 2 (primary, term 3) in 0.41 ms",
// "4 pairs match (node 2, term 3)"; an error reply as FormatReply shows it.
std::string FormatPing(const Reply& reply, double elapsed_ms);
std::string FormatCount(const Reply& reply);
std::string FormatRawReply(const RawReply& raw);

// --output tsv: one KEY<tab>VALUE line per pair (tuples as DisplayTuple
// shows them: no tab or newline can occur in one), no header, no footer; a
// successful ping is its round trip in ms, a count its number.
std::string TsvPairs(const Reply& reply);
std::string TsvPing(double elapsed_ms);
std::string TsvCount(const Reply& reply);

// watch's line for one change: "17 PUT user,1 ann" (SEQ OP KEY VALUE), as
// TSV "17<tab>PUT<tab>user,1<tab>ann", as JSON
// {"seq":17,"op":"PUT","key":"user,1","value":"ann","erased":false,"served_by":2,"term":3}.
std::string FormatChange(const Change& change);
std::string TsvChange(const Change& change);
nlohmann::ordered_json ChangeJson(const Change& change, const Reply& reply);

// JSON forms, and the single line to print for one.
nlohmann::ordered_json ReplyJson(const Reply& reply);  // a successful STATUS: StatusJson
// A successful STATUS reply as fields (tsctl_status_format.cpp):
//   {"ok":true,"op":"STATUS","broker":{"primary":2,"term":3,"primary_live":true,...},
//    "nodes":[{"id":1,"role":"backup","term":3,"applied":10,"lag":0,"live":true,...},...],
//    "service", "shutdown" and "security" objects when present,"events":["...",...],
//    "error":null,"served_by":2,"term":3}
// Whole numbers are numbers, yes/no are booleans, anything else a string; a
// fact of another shape goes to "other" as [key, value] texts.
nlohmann::ordered_json StatusJson(const Reply& reply);
nlohmann::ordered_json FailureJson(std::string_view op, const Error& error);
nlohmann::ordered_json RawReplyJson(const RawReply& raw);
nlohmann::ordered_json PingJson(const Reply& reply, double elapsed_ms);
nlohmann::ordered_json CountJson(const Reply& reply);
std::string JsonLine(const nlohmann::ordered_json& json);  // invalid UTF-8 replaced, ends with '\n'

}  // namespace ts::tsctl
