// Starting and stopping one part of a launched cluster (the broker or a
// node), with what run.sh always said about it.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"
#include "launcher/child_process.h"
#include "launcher/run_state.h"

namespace ts::launcher {

// Starts `part` with its command line from the layout (a node recovers its
// own data directory; `import_file`, when given, is its --load: imported only
// into an empty data directory), after a line
// "----- <time> run.sh: starting <part>: <command line>" in its log. The child
// runs in its own session and outlives the caller (Release() is up to it);
// its pid file is written.
Result<ChildProcess> StartPart(const ClusterDir& dir, const RunState& state, PartId part,
                               const std::string& import_file = "");

// SIGTERM (a node exports its --save file on it), then SIGKILL after `timeout`, each said out
// loud. Works on any part whose pid file names a live process, whoever its
// parent is.
void StopPart(const ClusterDir& dir, PartId part, std::chrono::seconds timeout);

// How the part's last run ended, in words, from DIR/run/<part>.exit.
std::string ExitReason(const ClusterDir& dir, PartId part);

}  // namespace ts::launcher
