#include "launcher/signals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <initializer_list>

namespace ts::launcher {
namespace {

volatile sig_atomic_t g_stop_signal = 0;
int g_pipe[2] = {-1, -1};

void OnSignal(int signal_number) {
  const int saved = errno;
  if (signal_number != SIGCHLD) g_stop_signal = signal_number;
  const char byte = 1;
  (void)!::write(g_pipe[1], &byte, 1);
  errno = saved;
}

}  // namespace

void InstallSignalHandlers() {
  for (int& fd : g_pipe) {
    if (fd >= 0) ::close(fd);
  }
  (void)!::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK);
  g_stop_signal = 0;
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal_number : {SIGINT, SIGTERM, SIGCHLD}) ::sigaction(signal_number, &action, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

int SignalPipeFd() { return g_pipe[0]; }

void DrainSignalPipe() {
  char bytes[64];
  while (::read(g_pipe[0], bytes, sizeof bytes) > 0) {
  }
}

int StopSignal() { return g_stop_signal; }

}  // namespace ts::launcher
