// A cluster directory DIR and the state of the cluster running from it, in
// files every launcher command reads (so `status` in one terminal sees what
// `up` in another started):
//
//   DIR/node-<id>.data/      node <id>'s own history (its write-ahead log and snapshots,
//                            tsnode --data-dir): a restarted node recovers from it
//   DIR/node-<id>.snapshot   node <id>'s export, written at an orderly shutdown (--save);
//                            `up --load FILE` seeds an empty cluster from such a file
//   DIR/logs/<part>.log      broker.log, node-<id>.log, supervisor.log
//   DIR/cluster.json         the cluster file (common/cluster_file) every part starts from:
//                            tsnode/tsbroker --cluster DIR/cluster.json --id N
//   DIR/cluster-shape.json   port base, nodes, brokers: the next `up` reuses them (cluster_shape.h)
//   DIR/run/cluster.json     the ClusterLayout, tsctl's path, the mode, when it started
//   DIR/run/<part>.pid       the running process (written by whoever started it)
//   DIR/run/<part>.exit      how its last run ended (exit status, or 128 + signal)
//   DIR/run/<part>.stopped   stopped on purpose: the supervisor leaves it down
//   DIR/run/<part>.failed    the supervisor gave up restarting it
//   DIR/run/<part>.restarts  restarts by the supervisor since `up`
//   DIR/run/<part>.note      the supervisor's last word on it (shown by status)
//   DIR/run/supervisor.pid   the supervisor (the foreground tscluster, or the background one)
//   DIR/run/lock             one command at a time changes the run state
//
// DIR/run exists only while a cluster runs; logs, data directories, exports and the shape stay. Paths
// are absolute and normalised, without resolving symbolic links (as a shell's
// `cd DIR && pwd`). Writes replace a file whole (temp file, rename).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include "common/status.h"
#include "launcher/cluster_layout.h"
#include "launcher/exit_status.h"

namespace ts::launcher {

// The program name the supervisor runs as (its comm), to tell a live
// supervisor from a pid the system gave to someone else.
inline constexpr const char* kSupervisorProgram = "tscluster";

struct RunState {
  ClusterLayout layout;
  std::string tsctl;       // the tsctl binary `cli` runs
  std::string mode;        // "foreground" or "background"
  std::string started_at;  // "2026-11-21 11:29:25"
};

enum class PartFlag { kStopped, kFailed };

class ClusterDir {
 public:
  explicit ClusterDir(const std::string& dir);

  const std::string& dir() const { return dir_; }
  std::string run_dir() const { return dir_ + "/run"; }
  std::string log_dir() const { return dir_ + "/logs"; }
  std::string supervisor_log() const { return log_dir() + "/supervisor.log"; }
  // The cluster file every part starts from (written by each start, kept by down).
  std::string cluster_file() const { return dir_ + "/cluster.json"; }

  bool Exists() const;  // DIR/run/cluster.json: a cluster runs (or ran and was not shut down)
  Status CreateRunDirs() const;  // DIR/run and DIR/logs
  Status WriteState(const RunState& state) const;
  Result<RunState> ReadState() const;
  void RemoveRunDir() const;

  std::optional<pid_t> Pid(PartId part) const;
  void WritePid(PartId part, pid_t pid) const;
  void RemovePid(PartId part) const;
  // Its pid file names a live process of its binary.
  bool Running(PartId part) const;

  std::optional<ExitStatus> LastExit(PartId part) const;
  void WriteExit(PartId part, ExitStatus status) const;
  void RemoveExit(PartId part) const;
  int Restarts(PartId part) const;
  void WriteRestarts(PartId part, int restarts) const;
  std::string Note(PartId part) const;  // "" when none
  void WriteNote(PartId part, const std::string& note) const;
  bool HasFlag(PartId part, PartFlag flag) const;
  void SetFlag(PartId part, PartFlag flag, bool on) const;

  std::optional<pid_t> SupervisorPid() const;
  void WriteSupervisorPid(pid_t pid) const;
  bool SupervisorRunning() const;

  // Holds DIR/run/lock (flock) while alive.
  class Lock {
   public:
    explicit Lock(int fd) : fd_(fd) {}
    ~Lock();
    Lock(Lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;
    Lock& operator=(Lock&&) = delete;

   private:
    int fd_;
  };
  // Waits up to `timeout` for the lock; the error says who to blame.
  Result<Lock> LockRunState(std::chrono::seconds timeout) const;

 private:
  std::string PartFile(PartId part, const std::string& extension) const;

  std::string dir_;
};

// Reads a whole small file ("" when it cannot be read).
std::string ReadText(const std::string& path);
// The last `max_lines` lines of `text` (all of it when shorter), as `tail -n`.
std::string TailLines(const std::string& text, size_t max_lines);
// Writes `text` to `path` through a temp file and a rename.
void WriteText(const std::string& path, const std::string& text);
// Appends `text` to `path`.
void AppendText(const std::string& path, const std::string& text);
// Local time as "%F %T" (with_date) or "%T".
std::string NowText(bool with_date = true);

}  // namespace ts::launcher
