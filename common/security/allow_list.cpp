#include "common/security/allow_list.h"

namespace ts::security {

Status AllowList::Add(AllowedKey entry) {
  auto [at, inserted] = by_key_.try_emplace(entry.public_key, entry);
  if (inserted || at->second.role == entry.role) return Status::Ok();
  return Error{ErrorKind::kInternal,
               entry.source + ": the key " + KeyFingerprint(entry.public_key) + " is already a " +
                   std::string(RoleName(at->second.role)) + " key (" + at->second.source + "); a key has one role, " +
                   "so it cannot also be a " + std::string(RoleName(entry.role)) + " key"};
}

const AllowedKey* AllowList::Find(const CurveKey& public_key) const {
  auto at = by_key_.find(public_key);
  return at == by_key_.end() ? nullptr : &at->second;
}

size_t AllowList::CountOf(KeyRole role) const {
  size_t count = 0;
  for (const auto& [key, entry] : by_key_) count += entry.role == role ? 1 : 0;
  return count;
}

}  // namespace ts::security
