// The save files of a cluster directory (DIR/node-<id>.snapshot, the exports
// an orderly shutdown writes): what each header says (read through
// nodes/space/persistence.h), and which one is the freshest, the one `up`
// names as the file to seed a cluster without any history from (--load).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "nodes/space/persistence.h"

namespace ts::launcher {

struct SaveFile {
  std::string path;
  SnapshotPosition at;          // 0:0 for a v1 file, and for one whose header is unreadable
  std::optional<size_t> pairs;  // unset when the header is unreadable
  std::filesystem::file_time_type written;
};

SaveFile ReadSaveFile(const std::string& path);

// DIR/node-*.snapshot, in name order.
std::vector<SaveFile> SaveFilesIn(const std::string& dir);

// The highest position (term, then seq); among equal positions the newest
// file. None when `files` is empty.
std::optional<SaveFile> Freshest(const std::vector<SaveFile>& files);

std::string PairsText(const SaveFile& file);  // "1 pair", "4 pairs", "? pairs"
std::string PositionText(const SaveFile& file);  // "2:3"
std::string LocalTimeText(std::filesystem::file_time_type time);  // "2026-11-21 11:29:33"
bool SameContents(const std::string& a, const std::string& b);

}  // namespace ts::launcher
