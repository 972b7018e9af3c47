// What a cluster file means on each part's command line: the flags of tsnode
// --id N and of tsbroker --id N that the file stands for. tsnode and tsbroker
// --cluster FILE append those of them that their command line does not
// already give (FlagsNotGiven), so an explicit flag beside --cluster wins,
// and then parse the whole as if it had been typed: one parser, one set of
// checks and messages for both ways of starting a part.
//
// The launcher's flag form (ClusterLayout::NodeArgv/BrokerArgv) and these
// agree flag for flag (tests/launcher checks it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/cluster_file/cluster_file.h"
#include "common/status.h"

namespace ts::cluster_file {

// tsnode's own defaults (nodes/node_config.h NodeDefaults; tsnode_main
// asserts they agree): the broker's liveness window is heartbeat x liveness,
// with an unset one at its default.
inline constexpr Millis kNodeDefaultHeartbeat{100};
inline constexpr int kNodeDefaultLiveness = 3;

struct Flag {
  std::string name;                 // "--bus"
  std::vector<std::string> values;  // one per occurrence ("--peer A --peer B"); empty: a switch ("--insecure")
  friend bool operator==(const Flag&, const Flag&) = default;
};

// tsnode's flags for node `id` (no --id itself); the error names the id when
// the file has no such node.
Result<std::vector<Flag>> NodeFlags(const ClusterFile& file, uint32_t id);
// tsbroker's flags for broker `id`.
Result<std::vector<Flag>> BrokerFlags(const ClusterFile& file, uint32_t id);

// The words of every flag in `flags` that `given(name)` says the command line
// lacks. --keys, --insecure and --clients-open go together: any of them on the
// command line keeps all of the file's out (a typed --insecure is not to be
// joined by the file's --keys).
std::vector<std::string> FlagsNotGiven(const std::vector<Flag>& flags,
                                       const std::function<bool(const std::string&)>& given);

// What tsnode and tsbroker parse again: their command line (argv[1..]), then
// FlagsNotGiven, in the order CLI11's parse(std::vector) takes (last first).
std::vector<std::string> CommandLineWithFileFlags(int argc, const char* const* argv, const std::vector<Flag>& flags,
                                                  const std::function<bool(const std::string&)>& given);

}  // namespace ts::cluster_file
