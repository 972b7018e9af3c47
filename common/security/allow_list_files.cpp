#include "common/security/allow_list_files.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/security/key_files.h"

namespace ts::security {
namespace {

namespace fs = std::filesystem;

Error SourceError(const std::string& where, std::string what) {
  return Error{ErrorKind::kInternal, where + ": " + std::move(what)};
}

Status AddFolder(AllowList& list, KeyRole role, const fs::path& folder) {
  std::error_code error;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == kPublicKeySuffix && it->is_regular_file(error)) files.push_back(it->path());
  }
  if (error) return SourceError(folder.string(), "cannot list the " + std::string(RoleName(role)) + " keys: " + error.message());
  std::sort(files.begin(), files.end());  // errors and duplicates reported in a stable order
  for (const fs::path& file : files) {
    Result<CurveKey> key = ReadPublicKeyFile(file);
    if (!key.ok()) return key.error();
    Status added = list.Add(AllowedKey{key.value(), role, file.stem().string(), file.string()});
    if (!added.ok()) return added;
  }
  return Status::Ok();
}

Status AddFile(AllowList& list, KeyRole role, const fs::path& file) {
  std::ifstream in(file);
  if (!in) return SourceError(file.string(), "cannot open the " + std::string(RoleName(role)) + " allow-list");
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    std::istringstream words(line);
    std::string key_text;
    std::string name;
    if (!(words >> key_text) || key_text.front() == '#') continue;
    words >> name;
    const std::string where = file.string() + ":" + std::to_string(number);
    Result<CurveKey> key = DecodeZ85Key(key_text, where);
    if (!key.ok()) return key.error();
    Status added = list.Add(AllowedKey{key.value(), role, name.empty() ? where : name, where});
    if (!added.ok()) return added;
  }
  if (in.bad()) return SourceError(file.string(), "cannot read the allow-list");
  return Status::Ok();
}

}  // namespace

Status AddKeysFrom(AllowList& list, KeyRole role, const fs::path& source) {
  std::error_code error;
  const fs::file_status status = fs::status(source, error);
  if (!fs::exists(status)) {
    return SourceError(source.string(), "no such " + std::string(RoleName(role)) +
                                            " allow-list (a folder of .pub files, or a file of keys)");
  }
  return fs::is_directory(status) ? AddFolder(list, role, source) : AddFile(list, role, source);
}

Result<AllowList> LoadAllowList(const std::map<KeyRole, fs::path>& sources) {
  AllowList list;
  for (const auto& [role, source] : sources) {
    Status added = AddKeysFrom(list, role, source);
    if (!added.ok()) return added.error();
  }
  return list;
}

std::function<Result<AllowList>()> AllowListLoader(std::map<KeyRole, fs::path> sources) {
  return [sources = std::move(sources)] { return LoadAllowList(sources); };
}

}  // namespace ts::security
