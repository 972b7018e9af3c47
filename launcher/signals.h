// The launcher's signals, turned into something a poll loop can wait on (the
// self-pipe trick): SIGINT and SIGTERM ask it to stop (Ctrl-C, `down`),
// SIGCHLD says a child ended. Each handler only records the signal and writes
// a byte to a pipe, so the loop wakes at once and does the work itself.
#pragma once

namespace ts::launcher {

// Installs the handlers (once per process; again after fork to get a pipe of
// one's own). SIGPIPE is ignored: a closed connection is an error value.
void InstallSignalHandlers();

// Readable when a signal arrived since the last DrainSignalPipe().
int SignalPipeFd();
void DrainSignalPipe();

// The stop signal received (SIGINT or SIGTERM), 0 while none.
int StopSignal();

}  // namespace ts::launcher
