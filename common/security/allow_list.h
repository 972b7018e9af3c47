// The public keys a ZAP handler knows, each with its one role and a name.
//
// Pure data: no files, sockets or clocks (allow_list_files.h fills one from
// the key folders). A key belongs to exactly one role: adding a key that is
// already listed under another role is refused, naming both sources, so a
// client's key copied into the nodes folder cannot make a client a node.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "common/security/curve_key.h"
#include "common/security/roles.h"
#include "common/status.h"

namespace ts::security {

struct AllowedKey {
  CurveKey public_key{};
  KeyRole role = KeyRole::kClient;
  std::string name;    // "node-1", "client": the file's stem, or the name on its line
  std::string source;  // where it was read: a file path, or "FILE:LINE"
};

class AllowList {
 public:
  // Adds `entry`. The same key again under the same role is ignored (listed
  // twice); under another role it is an error.
  Status Add(AllowedKey entry);

  const AllowedKey* Find(const CurveKey& public_key) const;
  size_t size() const { return by_key_.size(); }
  size_t CountOf(KeyRole role) const;

 private:
  std::map<CurveKey, AllowedKey> by_key_;
};

}  // namespace ts::security
