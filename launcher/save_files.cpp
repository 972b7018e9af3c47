#include "launcher/save_files.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>

namespace ts::launcher {

SaveFile ReadSaveFile(const std::string& path) {
  SaveFile file;
  file.path = path;
  std::error_code ignored;
  file.written = std::filesystem::last_write_time(path, ignored);
  Result<SnapshotHeader> header = ReadSnapshotHeader(path);
  if (header.ok()) {
    file.at = header.value().at;
    file.pairs = header.value().pairs;
  }
  return file;
}

std::vector<SaveFile> SaveFilesIn(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ignored)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("node-", 0) == 0 && name.size() > 14 && name.ends_with(".snapshot") && entry.is_regular_file(ignored)) {
      paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<SaveFile> files;
  for (const std::string& path : paths) files.push_back(ReadSaveFile(path));
  return files;
}

std::optional<SaveFile> Freshest(const std::vector<SaveFile>& files) {
  std::optional<SaveFile> best;
  for (const SaveFile& file : files) {
    const auto key = std::make_pair(file.at.term, file.at.seq);
    if (!best || key > std::make_pair(best->at.term, best->at.seq) ||
        (key == std::make_pair(best->at.term, best->at.seq) && file.written > best->written)) {
      best = file;
    }
  }
  return best;
}

std::string PairsText(const SaveFile& file) {
  if (!file.pairs) return "? pairs";
  return *file.pairs == 1 ? "1 pair" : std::to_string(*file.pairs) + " pairs";
}

std::string PositionText(const SaveFile& file) {
  return std::to_string(file.at.term) + ":" + std::to_string(file.at.seq);
}

std::string LocalTimeText(std::filesystem::file_time_type time) {
  const auto system = std::chrono::file_clock::to_sys(time);
  const time_t seconds = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(system));
  tm local{};
  ::localtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof text, "%F %T", &local);
  return text;
}

bool SameContents(const std::string& a, const std::string& b) {
  std::ifstream first(a, std::ios::binary), second(b, std::ios::binary);
  if (!first || !second) return false;
  return std::equal(std::istreambuf_iterator<char>(first), std::istreambuf_iterator<char>(),
                    std::istreambuf_iterator<char>(second), std::istreambuf_iterator<char>());
}

}  // namespace ts::launcher
