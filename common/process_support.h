// What tsnode and tsbroker share as processes: the stop flag their signal
// handlers set (SIGINT, SIGTERM) and their poll loops check every turn, and
// the log set-up (spdlog to stderr, one line per event, a name per process).
#pragma once

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <optional>
#include <string>

namespace ts::cluster {

// Set to the signal number by the handler; the loops stop when it is non-zero.
inline volatile std::sig_atomic_t g_stop_signal = 0;

inline void OnStopSignal(int signal_number) { g_stop_signal = signal_number; }

// SIGINT and SIGTERM set g_stop_signal. No SA_RESTART: a blocking zmq_poll
// returns EINTR at once, so the loop sees the flag without waiting out its
// poll interval.
inline void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

inline constexpr const char* kLogLevelNames = "trace, debug, info, warn, error, critical, off";

// "info" -> level; nullopt for a name spdlog does not know.
inline std::optional<spdlog::level::level_enum> ParseLogLevel(const std::string& name) {
  const spdlog::level::level_enum level = spdlog::level::from_str(name);
  if (level == spdlog::level::off && name != "off") return std::nullopt;
  return level;
}

// Logs go to stderr (colour only on a terminal), each line prefixed with
// `name` ("broker", "node 2"), millisecond timestamps.
inline void SetUpLogging(const std::string& name, spdlog::level::level_enum level) {
  auto logger = spdlog::stderr_color_mt(name);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e [%n] %^%l%$ %v");
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

}  // namespace ts::cluster
