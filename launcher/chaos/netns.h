// Test hosts in network namespaces: each part of a chaos cluster (every
// broker, every node) gets a namespace `tschaos-<run>-<part>` of its own,
// joined to one bridge `tschaos-<run>-br` in the root namespace by a veth
// pair, with an address of its own on a private /24 (10.77.S.0/24; the
// bridge is .1, so clients in the root namespace reach every part). Parts
// run there through `ip netns exec`; partitions are nftables rules inside the
// namespaces (table inet tschaos, an output chain: a packet from A to B is
// dropped silently, as on a cut link, established connections included), so
// a block is one-way and a cut both ways is two blocks.
//
// Contract: root only (IsRoot; callers skip with a message otherwise).
// Create() builds everything or, on any failure, removes what it built and
// returns the error naming the command. The destructor removes the run's
// namespaces, links and the processes still in them; so does
// RemoveRun(run) for what a crashed earlier run left (everything named
// tschaos-<run>-*). Traffic goes only to the addresses made here. Every
// command is bounded by kCommandTimeout. Not thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace ts::launcher::chaos {

struct NetnsLimits {
  static constexpr std::chrono::milliseconds kCommandTimeout{10'000};  // one `ip` command
  static constexpr int kLowestSubnet = 1;                              // 10.77.1.0/24 ..
  static constexpr int kHighestSubnet = 254;                           // .. 10.77.254.0/24
};

inline constexpr const char* kNetnsPrefix = "tschaos-";

bool IsRoot();

// Runs `argv` (argv[0] looked up in PATH) with stdout+stderr captured, up to
// `timeout`; its output, or an error naming the command, its exit and output.
Result<std::string> RunCommand(const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout = NetnsLimits::kCommandTimeout);

// One part's host: its namespace and its address.
struct NetnsHost {
  std::string part;       // "b1", "n2": short, so link names fit IFNAMSIZ
  std::string ns;         // tschaos-<run>-<part>
  std::string host_link;  // the veth end on the bridge (the peer is eth0 inside)
  std::string address;    // 10.77.S.N
};

class NetnsNetwork {
 public:
  // `run`: up to 4 letters/digits naming this run; `parts`: short part names
  // (up to 3 characters each). The subnet is the first of 10.77.S.0/24 no
  // interface here has an address in.
  static Result<std::unique_ptr<NetnsNetwork>> Create(const std::string& run, const std::vector<std::string>& parts);
  ~NetnsNetwork();
  NetnsNetwork(const NetnsNetwork&) = delete;
  NetnsNetwork& operator=(const NetnsNetwork&) = delete;

  const std::string& run() const { return run_; }
  const std::string& bridge() const { return bridge_; }
  std::string bridge_address() const;
  const NetnsHost& host(const std::string& part) const;  // the part must be one of Create's
  std::vector<std::string> parts() const;

  // `argv` run inside the part's namespace: ip netns exec NS argv... (the
  // same process: ip execs it, so signals reach the program itself).
  std::vector<std::string> Wrap(const std::string& part, const std::vector<std::string>& argv) const;

  // Drops every packet `from` sends to `to`'s address (one way).
  Status Block(const std::string& from, const std::string& to);
  // Drops what `from` sends to the bridge address (the root namespace: the clients).
  Status BlockRoot(const std::string& from);
  // Removes every block: the network is whole again.
  Status HealAll();
  size_t blocks() const { return blocks_.size(); }

  // Removes the namespaces, links and processes now (also the destructor's work).
  Status Remove();

 private:
  NetnsNetwork(std::string run, int subnet) : run_(std::move(run)), subnet_(subnet) {}
  Status Build(const std::vector<std::string>& parts);
  Status AddDrop(const std::string& from, const std::string& address);

  std::string run_;
  int subnet_;
  std::string bridge_;
  std::map<std::string, NetnsHost> hosts_;
  std::vector<std::pair<std::string, std::string>> blocks_;  // (part, address)
  bool removed_ = false;
};

// What is left in this machine of run `run` (every namespace and link named
// tschaos-<run>-*): empty once a run is cleaned up.
Result<std::vector<std::string>> RunLeftovers(const std::string& run);
// Kills the processes in run `run`'s namespaces and deletes its namespaces
// and links: the cleanup pass for a run that ended without its destructor.
Status RemoveRun(const std::string& run);
// The runs (their <run> part) that have a namespace or link here.
Result<std::vector<std::string>> ExistingRuns();

}  // namespace ts::launcher::chaos
