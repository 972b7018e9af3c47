// What the failover benchmark reads of a process beyond what
// launcher/child_process.h offers: its resident memory. (Child processes and
// free ports are the launcher's: launcher/child_process.h, launcher/ports.h.)
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "common/status.h"

namespace ts::bench {

// VmRSS of a process in KiB, from /proc/PID/status.
Result<uint64_t> ResidentKiB(pid_t pid);

}  // namespace ts::bench
