#include "launcher/run_state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "launcher/child_process.h"

namespace ts::launcher {
namespace {

namespace fs = std::filesystem;

// How often a wait for the lock tries again.
constexpr std::chrono::milliseconds kLockRetryInterval{20};

std::string FlagExtension(PartFlag flag) { return flag == PartFlag::kStopped ? "stopped" : "failed"; }

std::optional<int64_t> ReadNumber(const std::string& path) {
  std::string text = ReadText(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(text);
}

}  // namespace

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TailLines(const std::string& text, size_t max_lines) {
  if (max_lines == 0) return "";
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;  // a trailing newline ends the last line
  size_t position = end;
  for (size_t lines = 0; lines < max_lines; ++lines) {
    const size_t newline = position == 0 ? std::string::npos : text.rfind('\n', position - 1);
    if (newline == std::string::npos) return text;
    position = newline;
  }
  return text.substr(position + 1);
}

void WriteText(const std::string& path, const std::string& text) {
  const std::string temp = path + ".new";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
  }
  std::error_code ignored;
  fs::rename(temp, path, ignored);
}

void AppendText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
}

std::string NowText(bool with_date) {
  const time_t now = std::time(nullptr);
  tm local{};
  ::localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, with_date ? "%F %T" : "%T", &local);
  return text;
}

ClusterDir::ClusterDir(const std::string& dir) {
  std::string normal = fs::absolute(dir).lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  dir_ = normal;
}

bool ClusterDir::Exists() const { return fs::exists(run_dir() + "/cluster.json"); }

Status ClusterDir::CreateRunDirs() const {
  std::error_code error;
  for (const std::string& path : {run_dir(), log_dir()}) {
    fs::create_directories(path, error);
    if (error) return Error{ErrorKind::kInternal, "cannot create " + path + ": " + error.message()};
  }
  return Status::Ok();
}

Status ClusterDir::WriteState(const RunState& state) const {
  nlohmann::json json = {{"layout", ToJson(state.layout)},
                         {"tsctl", state.tsctl},
                         {"mode", state.mode},
                         {"started_at", state.started_at}};
  WriteText(run_dir() + "/cluster.json", json.dump(2) + "\n");
  if (!Exists()) return Error{ErrorKind::kInternal, "cannot write " + run_dir() + "/cluster.json"};
  return Status::Ok();
}

Result<RunState> ClusterDir::ReadState() const {
  const std::string path = run_dir() + "/cluster.json";
  const nlohmann::json json = nlohmann::json::parse(ReadText(path), nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const std::string& why) { return Error{ErrorKind::kMalformedRequest, path + ": " + why}; };
  if (json.is_discarded() || !json.is_object()) return bad("not a JSON object");
  if (!json.contains("layout")) return bad("'layout' is missing");
  Result<ClusterLayout> layout = LayoutFromJson(json.at("layout"));
  if (!layout.ok()) return bad(layout.error().message);
  RunState state;
  state.layout = layout.value();
  for (auto [name, field] : {std::pair{"tsctl", &state.tsctl}, std::pair{"mode", &state.mode},
                             std::pair{"started_at", &state.started_at}}) {
    if (!json.contains(name) || !json.at(name).is_string()) return bad(std::string("'") + name + "' is not a string");
    *field = json.at(name).get<std::string>();
  }
  return state;
}

void ClusterDir::RemoveRunDir() const {
  std::error_code ignored;
  fs::remove_all(run_dir(), ignored);
}

std::string ClusterDir::PartFile(PartId part, const std::string& extension) const {
  return run_dir() + "/" + part.Name() + "." + extension;
}

std::optional<pid_t> ClusterDir::Pid(PartId part) const {
  std::optional<int64_t> pid = ReadNumber(PartFile(part, "pid"));
  if (!pid || *pid <= 0) return std::nullopt;
  return static_cast<pid_t>(*pid);
}

void ClusterDir::WritePid(PartId part, pid_t pid) const { WriteText(PartFile(part, "pid"), std::to_string(pid) + "\n"); }

void ClusterDir::RemovePid(PartId part) const {
  std::error_code ignored;
  fs::remove(PartFile(part, "pid"), ignored);
}

bool ClusterDir::Running(PartId part) const {
  std::optional<pid_t> pid = Pid(part);
  return pid && ProcessAlive(*pid, part.Binary());
}

std::optional<ExitStatus> ClusterDir::LastExit(PartId part) const {
  std::optional<int64_t> code = ReadNumber(PartFile(part, "exit"));
  if (!code) return std::nullopt;
  return ExitStatus::FromCode(static_cast<int>(*code));
}

void ClusterDir::WriteExit(PartId part, ExitStatus status) const {
  WriteText(PartFile(part, "exit"), std::to_string(status.Code()) + "\n");
}

void ClusterDir::RemoveExit(PartId part) const {
  std::error_code ignored;
  fs::remove(PartFile(part, "exit"), ignored);
}

int ClusterDir::Restarts(PartId part) const {
  return static_cast<int>(ReadNumber(PartFile(part, "restarts")).value_or(0));
}

void ClusterDir::WriteRestarts(PartId part, int restarts) const {
  WriteText(PartFile(part, "restarts"), std::to_string(restarts) + "\n");
}

std::string ClusterDir::Note(PartId part) const {
  std::string note = ReadText(PartFile(part, "note"));
  while (!note.empty() && note.back() == '\n') note.pop_back();
  return note;
}

void ClusterDir::WriteNote(PartId part, const std::string& note) const { WriteText(PartFile(part, "note"), note + "\n"); }

bool ClusterDir::HasFlag(PartId part, PartFlag flag) const { return fs::exists(PartFile(part, FlagExtension(flag))); }

void ClusterDir::SetFlag(PartId part, PartFlag flag, bool on) const {
  const std::string path = PartFile(part, FlagExtension(flag));
  std::error_code ignored;
  if (on) {
    std::ofstream touch(path, std::ios::app);
  } else {
    fs::remove(path, ignored);
  }
}

std::optional<pid_t> ClusterDir::SupervisorPid() const {
  std::optional<int64_t> pid = ReadNumber(run_dir() + "/supervisor.pid");
  if (!pid || *pid <= 0) return std::nullopt;
  return static_cast<pid_t>(*pid);
}

void ClusterDir::WriteSupervisorPid(pid_t pid) const {
  WriteText(run_dir() + "/supervisor.pid", std::to_string(pid) + "\n");
}

bool ClusterDir::SupervisorRunning() const {
  std::optional<pid_t> pid = SupervisorPid();
  return pid && ProcessAlive(*pid, kSupervisorProgram);
}

ClusterDir::Lock::~Lock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

Result<ClusterDir::Lock> ClusterDir::LockRunState(std::chrono::seconds timeout) const {
  const std::string path = run_dir() + "/lock";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Error{ErrorKind::kInternal, "cannot open " + path + ": " + std::strerror(errno)};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      return Error{ErrorKind::kUnavailable, "another run.sh holds " + path + " for more than " +
                                                std::to_string(timeout.count()) + " s"};
    }
    std::this_thread::sleep_for(kLockRetryInterval);
  }
  return Lock(fd);
}

}  // namespace ts::launcher
