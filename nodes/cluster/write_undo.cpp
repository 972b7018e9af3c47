#include "nodes/cluster/write_undo.h"

#include <map>

namespace ts::cluster {

WriteUndo WriteUndo::Capture(const TupleSpace& space, const Request& request) {
  WriteUndo undo;
  const Op op = request.op();
  if (op != Op::kPut && op != Op::kPost) return undo;
  undo.before_.reserve(request.pairs.size());
  for (const Pair& pair : request.pairs) {
    std::string key_text = TupleText(pair.key);
    auto it = space.pairs().find(key_text);
    undo.before_.emplace_back(std::move(key_text),
                              it == space.pairs().end() ? std::nullopt : std::optional<std::string>(it->value()));
  }
  return undo;
}

WriteEffect WriteUndo::Restore(const WriteEffect& effect, const Reply& reply) const {
  WriteEffect restore;
  // A PUT or POST upserts some of the pairs it names, in request order: walk
  // both lists together. A key named twice is upserted (at most) the first time.
  auto before = before_.begin();
  for (const auto& [key, value] : effect.upserts) {
    while (before != before_.end() && before->first != key) ++before;
    if (before != before_.end() && before->second) {
      restore.upserts.emplace_back(key, *before->second);
    } else {
      restore.erased_keys.push_back(key);  // a PUT added it: it was absent
    }
    if (before != before_.end()) ++before;
  }
  if (!effect.erased_keys.empty()) {
    std::map<std::string, std::string> deleted;  // what the DELETE returned, by key text
    for (const Pair& pair : reply.pairs) deleted.emplace(TupleText(pair.key), TupleText(pair.value));
    for (const std::string& key : effect.erased_keys) {
      auto it = deleted.find(key);
      if (it != deleted.end()) restore.upserts.emplace_back(key, it->second);
    }
  }
  return restore;
}

}  // namespace ts::cluster
