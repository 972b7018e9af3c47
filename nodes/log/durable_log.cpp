#include "nodes/log/durable_log.h"

#include <utility>

namespace ts::wal {

Result<OpenedLog> OpenLog(Storage& storage, const std::string& dir, LogOptions options) {
  Status made = storage.CreateDir(dir);
  if (!made.ok()) return made.error();
  Result<RecoveredLog> recovered = Recover(storage, dir);
  if (!recovered.ok()) return recovered.error();
  auto writer = LogWriter::Open(storage, dir, recovered.value(), options);
  if (!writer.ok()) return writer.error();
  return OpenedLog{std::move(recovered).value(), std::move(writer).value()};
}

}  // namespace ts::wal
