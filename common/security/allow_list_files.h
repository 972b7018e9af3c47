// Filling an AllowList from disk: per role, a folder or a file of public keys.
//
// A folder: every regular file named *.pub is one key (its stem is the name);
// other files (the .secret of the pairs made here, a README) are skipped.
// A file: one key per line, "Z85KEY [NAME]", blank lines and lines starting
// with '#' skipped; a key without a name is called FILE:LINE.
// Any unreadable or malformed key fails the whole load, naming the file (and
// line), so a reload with a typo keeps the old list rather than a partial one.
#pragma once

#include <filesystem>
#include <functional>
#include <map>

#include "common/security/allow_list.h"

namespace ts::security {

Status AddKeysFrom(AllowList& list, KeyRole role, const std::filesystem::path& source);

// Every role's source (ClusterKeyLayout::AllowListSources, or others) read into one list.
Result<AllowList> LoadAllowList(const std::map<KeyRole, std::filesystem::path>& sources);

// A loader for ZapHandler: reads `sources` each time it is called (start, Reload).
std::function<Result<AllowList>()> AllowListLoader(std::map<KeyRole, std::filesystem::path> sources);

}  // namespace ts::security
