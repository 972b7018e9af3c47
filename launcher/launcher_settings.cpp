#include "launcher/launcher_settings.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

namespace ts::launcher {
namespace {

Error Bad(const char* name, const std::string& text, const std::string& what) {
  return Error{ErrorKind::kMalformedRequest,
               std::string("the environment variable ") + name + "='" + text + "' is not " + what};
}

// TS_<NAME> as a whole number in [low, high] into *out; unset or empty leaves *out.
Status Integer(const char* name, int64_t low, int64_t high, int64_t* out) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return Status::Ok();
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < low || value > high) {
    return Bad(name, text, "a whole number from " + std::to_string(low) + " to " + std::to_string(high));
  }
  *out = value;
  return Status::Ok();
}

template <class T>
Status Setting(const char* name, int64_t low, int64_t high, T* out) {
  int64_t value = static_cast<int64_t>(*out);
  Status read = Integer(name, low, high, &value);
  if (read.ok()) *out = static_cast<T>(value);
  return read;
}

template <class Rep, class Period>
Status Duration(const char* name, int64_t low, int64_t high, std::chrono::duration<Rep, Period>* out) {
  int64_t value = out->count();
  Status read = Integer(name, low, high, &value);
  if (read.ok()) *out = std::chrono::duration<Rep, Period>(value);
  return read;
}

// TS_SUPERVISE_INTERVAL_S is a number of seconds with a fraction ("0.2").
Status FractionalSeconds(const char* name, Millis* out) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return Status::Ok();
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (*end != '\0' || !(seconds >= 0.001 && seconds <= 60)) return Bad(name, text, "a number of seconds from 0.001 to 60");
  *out = Millis(static_cast<int64_t>(std::llround(seconds * 1000)));
  return Status::Ok();
}

std::string DefaultBuildDir() {
  std::error_code ignored;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ignored);
  return self.parent_path().parent_path().string();  // BUILD/launcher/tscluster -> BUILD
}

}  // namespace

Result<LauncherSettings> LauncherSettings::FromEnvironment() {
  LauncherSettings s;
  const char* data_dir = std::getenv("TS_DATA_DIR");
  s.data_dir = data_dir != nullptr && *data_dir != '\0' ? data_dir : "data";
  const char* build_dir = std::getenv("TS_BUILD_DIR");
  s.build_dir = build_dir != nullptr && *build_dir != '\0' ? build_dir : DefaultBuildDir();
  for (auto [name, value] : {std::pair{"TS_NODES", &s.node_count}, std::pair{"TS_PORT_BASE", &s.port_base}}) {
    const char* text = std::getenv(name);
    if (text != nullptr && *text != '\0') *value = text;
  }
  Seconds stable = std::chrono::duration_cast<Seconds>(s.restart.stable_after);
  for (Status read : {Duration("TS_NODE_HEARTBEAT_MS", 4, 60'000, &s.node_heartbeat),
                      Setting("TS_NODE_LIVENESS", 1, 100, &s.node_liveness),
                      Duration("TS_START_TIMEOUT_S", 1, 3'600, &s.start_timeout),
                      Duration("TS_SHUTDOWN_TIMEOUT_S", 1, 3'600, &s.shutdown_timeout),
                      Duration("TS_SHUTDOWN_COMMAND_TIMEOUT_MS", 1, 3'600'000, &s.shutdown_command_timeout),
                      Duration("TS_STOP_TIMEOUT_S", 1, 3'600, &s.stop_timeout),
                      Duration("TS_RESTART_FIRST_DELAY_MS", 0, 3'600'000, &s.restart.first_delay),
                      Duration("TS_RESTART_MAX_DELAY_MS", 0, 3'600'000, &s.restart.max_delay),
                      Setting("TS_RESTART_MAX_ATTEMPTS", 0, 1'000'000, &s.restart.max_attempts),
                      Duration("TS_RESTART_STABLE_S", 0, 86'400 * 365, &stable),
                      FractionalSeconds("TS_SUPERVISE_INTERVAL_S", &s.supervise_interval),
                      Duration("TS_PROBE_TIMEOUT_MS", 1, 3'600'000, &s.probe_timeout)}) {
    if (!read.ok()) return read.error();
  }
  if (const char* insecure = std::getenv("TS_INSECURE"); insecure != nullptr && *insecure != '\0') {
    const std::string text(insecure);
    if (text != "0" && text != "1") {
      return Error{ErrorKind::kMalformedRequest, "TS_INSECURE must be 0 or 1, not '" + text + "'"};
    }
    s.insecure = text == "1";
  }
  s.restart.stable_after = stable;
  // As run.sh had it: a maximum below the first delay is the first delay.
  s.restart.max_delay = std::max(s.restart.max_delay, s.restart.first_delay);
  return s;
}

}  // namespace ts::launcher
