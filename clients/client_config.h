// Every timeout, limit and default endpoint of the client library and tsctl,
// in one place. tsctl's flags (--timeout-ms, --retries, --broker, ...) override
// them; nothing else in clients/ hard-codes a number of milliseconds.
#pragma once

#include <chrono>
#include <cstddef>

#include "schema/messages.h"

namespace ts::client_config {

// Where `./run.sh` puts the broker by default (port base 5555): client
// requests on base+0, shutdown commands on base+2 (nodes use base+1).
inline constexpr const char* kDefaultBrokerEndpoint = "tcp://127.0.0.1:5555";
inline constexpr const char* kDefaultShutdownEndpoint = "tcp://127.0.0.1:5557";

// How long one attempt waits for its reply before the REQ socket is thrown
// away and the request is sent again (Lazy Pirate). Longer than the broker's
// hold time during failover would be ideal; 2.5 s keeps a dead broker from
// stalling a person for long.
inline constexpr std::chrono::milliseconds kDefaultRequestTimeout{2500};

// Retries after the first attempt: 2 retries = 3 attempts in all, so an
// unreachable broker is reported after about 3 x kDefaultRequestTimeout.
inline constexpr int kDefaultRequestRetries = 2;

// Nobody listening: when every connection attempt of a call has been refused
// for this long (libzmq retries every 100 ms), the call says "connection
// refused" instead of waiting out its attempts. Long enough for a broker
// that is just starting to bind; well within the 3 s a person should wait.
inline constexpr std::chrono::milliseconds kDefaultRefusedAfter{1000};

// Upper bound accepted for --retries, so a typo cannot make a call unbounded.
inline constexpr int kMaxRequestRetries = 100;

// A closed socket drops unsent messages at once instead of blocking exit.
inline constexpr int kSocketLingerMs = 0;

// How long a send may wait for room in the socket's queue before it fails.
inline constexpr std::chrono::milliseconds kSendTimeout{1000};

// Pipelined (DEALER) client: requests outstanding at once by default, and the
// longest a single Poll sleeps between housekeeping rounds (resends/expiry).
inline constexpr size_t kDefaultMaxInFlight = 64;
inline constexpr std::chrono::milliseconds kPipelinePollSlice{50};

// Operation names the broker itself answers: schema/messages.h.
using ::ts::kShutdownOpName;
using ::ts::kStatusOpName;

}  // namespace ts::client_config

namespace ts::client_config {

// tsctl's interactive prompt: lines of history kept, in this file under $HOME.
inline constexpr int kPromptHistoryLines = 1000;
inline constexpr const char* kPromptHistoryFile = ".tsctl_history";

// The space's tuple limits (nodes/space/space.h, SpaceLimits' defaults). A
// "too large" rejection does not carry them, so tsctl names these when it
// explains one; tests/tsctl_cluster checks that they agree with SpaceLimits.
inline constexpr size_t kSpaceMaxElementsPerTuple = 64;
inline constexpr size_t kSpaceMaxElementBytes = 256;

// A rejected key or value longer than this is shown cut, with its size
// ("xxxx... (100000 bytes)"), so the table is not padded to it.
inline constexpr size_t kMaxRejectedCellChars = 64;

// Bounds accepted for --timeout-ms (a typo must not make a call unbounded).
// get --limit N: a page of at most N pairs (the space caps a page at its own
// reply limit, 1,000,000 by default).
inline constexpr uint32_t kMaxPageLimit = 1'000'000;

// get/take --wait MS: at most this long (the nodes refuse a longer wait,
// NodeDefaults::kMaxWait). watch long-polls: each poll waits at most
// kWatchPollMs for a change before it is sent again from the same position.
inline constexpr uint32_t kMaxWaitMs = 60'000;
inline constexpr uint32_t kWatchPollMs = 10'000;

inline constexpr int kMinTimeoutMs = 1;
inline constexpr int kMaxTimeoutMs = 600000;

}  // namespace ts::client_config
