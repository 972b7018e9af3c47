#include "launcher/chaos/netns.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "launcher/child_process.h"

namespace ts::launcher::chaos {
namespace {

constexpr const char* kNftTable = "tschaos";  // in every part's namespace
constexpr const char* kNftChain = "out";

Error NetnsError(const std::string& message) { return Error{ErrorKind::kInternal, message}; }

std::string Joined(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& word : argv) text += (text.empty() ? "" : " ") + word;
  return text;
}

// PATH, then the sbin folders a non-login root shell may lack.
std::string FindProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::stringstream folders(path);
  for (std::string folder; std::getline(folders, folder, ':');) {
    if (folder.empty()) continue;
    const std::string candidate = folder + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return name;
}

std::string Prefix(const std::string& run) { return std::string(kNetnsPrefix) + run + "-"; }

// The namespaces (`ip netns list`) and links (`ip -o link`) whose names start with `prefix`.
Result<std::vector<std::string>> NamesWithPrefix(const std::string& prefix, bool namespaces) {
  Result<std::string> listed =
      namespaces ? RunCommand({"ip", "netns", "list"}) : RunCommand({"ip", "-o", "link", "show"});
  if (!listed.ok()) return listed.error();
  std::vector<std::string> names;
  std::stringstream lines(listed.value());
  for (std::string line; std::getline(lines, line);) {
    std::string name;
    if (namespaces) {
      name = line.substr(0, line.find(' '));
    } else {  // "7: tschaos-ab12-n1@if6: <BROADCAST,..."
      const size_t start = line.find(": ");
      if (start == std::string::npos) continue;
      name = line.substr(start + 2, line.find_first_of("@:", start + 2) - start - 2);
    }
    if (name.rfind(prefix, 0) == 0) names.push_back(name);
  }
  return names;
}

// Every 10.77.S.0/24 some interface here has an address in.
Result<std::set<int>> SubnetsInUse() {
  Result<std::string> listed = RunCommand({"ip", "-o", "-4", "addr", "show"});
  if (!listed.ok()) return listed.error();
  std::set<int> used;
  const std::string marker = "inet 10.77.";
  for (size_t at = listed.value().find(marker); at != std::string::npos;
       at = listed.value().find(marker, at + 1)) {
    used.insert(std::atoi(listed.value().c_str() + at + marker.size()));
  }
  return used;
}

}  // namespace

bool IsRoot() { return ::geteuid() == 0; }

Result<std::string> RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  if (argv.empty()) return NetnsError("RunCommand: no command");
  char output_template[] = "/tmp/tschaos-command-XXXXXX";
  const int fd = ::mkstemp(output_template);
  if (fd < 0) return NetnsError("cannot make a temporary file for '" + Joined(argv) + "'");
  ::close(fd);
  std::vector<std::string> resolved = argv;
  resolved[0] = FindProgram(argv[0]);
  ChildProcess child(resolved, output_template);
  Status started = child.Start();
  std::optional<int> code = started.ok() ? child.Wait(timeout) : std::nullopt;
  if (started.ok() && !code) child.Kill();
  const std::string output = child.log();
  std::filesystem::remove(output_template);
  if (!started.ok()) return NetnsError("'" + Joined(argv) + "': " + started.error().message);
  if (!code) return NetnsError("'" + Joined(argv) + "' did not end within " + std::to_string(timeout.count()) + " ms");
  if (*code != 0) {
    return NetnsError("'" + Joined(argv) + "' failed (" + child.exit_status()->Describe() + "): " + output);
  }
  return output;
}

Result<std::unique_ptr<NetnsNetwork>> NetnsNetwork::Create(const std::string& run,
                                                           const std::vector<std::string>& parts) {
  if (!IsRoot()) return NetnsError("network namespaces need root (this is uid " + std::to_string(::geteuid()) + ")");
  if (run.empty() || run.size() > 4 || !std::all_of(run.begin(), run.end(), ::isalnum)) {
    return NetnsError("run name '" + run + "': 1 to 4 letters or digits (link names must fit 15 characters)");
  }
  for (const std::string& part : parts) {
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), ::isalnum)) {
      return NetnsError("part name '" + part + "': 1 to 3 letters or digits");
    }
  }
  if (parts.size() > 200) return NetnsError("at most 200 parts in one run");
  Result<std::set<int>> used = SubnetsInUse();
  if (!used.ok()) return used.error();
  int subnet = 0;
  for (int candidate = NetnsLimits::kLowestSubnet; candidate <= NetnsLimits::kHighestSubnet; ++candidate) {
    if (!used.value().count(candidate)) {
      subnet = candidate;
      break;
    }
  }
  if (subnet == 0) return NetnsError("every 10.77.S.0/24 is in use here");
  std::unique_ptr<NetnsNetwork> network(new NetnsNetwork(run, subnet));
  if (Status built = network->Build(parts); !built.ok()) {
    (void)network->Remove();
    return built.error();
  }
  return network;
}

Status NetnsNetwork::Build(const std::vector<std::string>& parts) {
  const std::string prefix = Prefix(run_);
  const std::string net = "10.77." + std::to_string(subnet_) + ".";
  bridge_ = prefix + "br";
  std::vector<std::vector<std::string>> commands = {
      {"ip", "link", "add", bridge_, "type", "bridge"},
      {"ip", "addr", "add", bridge_address() + "/24", "dev", bridge_},
      {"ip", "link", "set", bridge_, "up"},
  };
  int next_address = 2;
  for (const std::string& part : parts) {
    NetnsHost host{part, prefix + part, prefix + part, net + std::to_string(next_address++)};
    commands.push_back({"ip", "netns", "add", host.ns});
    commands.push_back({"ip", "link", "add", host.host_link, "type", "veth", "peer", "name", "eth0", "netns", host.ns});
    commands.push_back({"ip", "link", "set", host.host_link, "master", bridge_});
    commands.push_back({"ip", "link", "set", host.host_link, "up"});
    commands.push_back({"ip", "-n", host.ns, "addr", "add", host.address + "/24", "dev", "eth0"});
    commands.push_back({"ip", "-n", host.ns, "link", "set", "eth0", "up"});
    commands.push_back({"ip", "-n", host.ns, "link", "set", "lo", "up"});
    commands.push_back({"ip", "netns", "exec", host.ns, "nft", "add", "table", "inet", kNftTable});
    commands.push_back({"ip", "netns", "exec", host.ns, "nft", "add", "chain", "inet", kNftTable, kNftChain,
                        "{ type filter hook output priority 0; policy accept; }"});
    hosts_[part] = host;
  }
  for (const std::vector<std::string>& command : commands) {
    if (Result<std::string> done = RunCommand(command); !done.ok()) {
      return NetnsError("namespace set-up of run " + run_ + ": " + done.error().message);
    }
  }
  return Status::Ok();
}

NetnsNetwork::~NetnsNetwork() { (void)Remove(); }

std::string NetnsNetwork::bridge_address() const { return "10.77." + std::to_string(subnet_) + ".1"; }

const NetnsHost& NetnsNetwork::host(const std::string& part) const { return hosts_.at(part); }

std::vector<std::string> NetnsNetwork::parts() const {
  std::vector<std::string> names;
  for (const auto& [part, host] : hosts_) names.push_back(part);
  return names;
}

std::vector<std::string> NetnsNetwork::Wrap(const std::string& part, const std::vector<std::string>& argv) const {
  std::vector<std::string> wrapped = {FindProgram("ip"), "netns", "exec", host(part).ns};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

Status NetnsNetwork::AddDrop(const std::string& from, const std::string& address) {
  Result<std::string> added = RunCommand(
      {"ip", "netns", "exec", host(from).ns, "nft", "add", "rule", "inet", kNftTable, kNftChain, "ip", "daddr",
       address, "drop"});
  if (!added.ok()) return added.error();
  blocks_.emplace_back(from, address);
  return Status::Ok();
}

Status NetnsNetwork::Block(const std::string& from, const std::string& to) { return AddDrop(from, host(to).address); }

Status NetnsNetwork::BlockRoot(const std::string& from) { return AddDrop(from, bridge_address()); }

Status NetnsNetwork::HealAll() {
  Status healed = Status::Ok();
  for (const auto& [part, host] : hosts_) {
    Result<std::string> flushed =
        RunCommand({"ip", "netns", "exec", host.ns, "nft", "flush", "chain", "inet", kNftTable, kNftChain});
    if (!flushed.ok() && healed.ok()) healed = flushed.error();
  }
  blocks_.clear();
  return healed;
}

Status NetnsNetwork::Remove() {
  if (removed_) return Status::Ok();
  removed_ = true;
  return RemoveRun(run_);
}

Result<std::vector<std::string>> RunLeftovers(const std::string& run) {
  Result<std::vector<std::string>> namespaces = NamesWithPrefix(Prefix(run), true);
  if (!namespaces.ok()) return namespaces.error();
  Result<std::vector<std::string>> links = NamesWithPrefix(Prefix(run), false);
  if (!links.ok()) return links.error();
  std::vector<std::string> left = namespaces.value();
  left.insert(left.end(), links.value().begin(), links.value().end());
  return left;
}

Status RemoveRun(const std::string& run) {
  if (run.empty()) return NetnsError("RemoveRun: no run name");
  Result<std::vector<std::string>> namespaces = NamesWithPrefix(Prefix(run), true);
  if (!namespaces.ok()) return namespaces.error();
  Status removed = Status::Ok();
  for (const std::string& ns : namespaces.value()) {
    // The processes first: a namespace with processes in it outlives `ip netns del`.
    if (Result<std::string> pids = RunCommand({"ip", "netns", "pids", ns}); pids.ok()) {
      std::stringstream words(pids.value());
      for (pid_t pid = 0; words >> pid;) ::kill(pid, SIGKILL);
    }
    if (Result<std::string> deleted = RunCommand({"ip", "netns", "del", ns}); !deleted.ok() && removed.ok()) {
      removed = deleted.error();
    }
  }
  // A veth goes with its namespace; the bridge (and anything half made) here.
  Result<std::vector<std::string>> links = NamesWithPrefix(Prefix(run), false);
  if (!links.ok()) return links.error();
  for (const std::string& link : links.value()) {
    Result<std::string> deleted = RunCommand({"ip", "link", "del", link});
    if (deleted.ok() || !removed.ok()) continue;
    // The kernel removes a namespace's veths after `ip netns del` returns, so a
    // link listed above may be gone by now: only one still there is a failure.
    Result<std::vector<std::string>> still = NamesWithPrefix(Prefix(run), false);
    if (!still.ok() || std::find(still.value().begin(), still.value().end(), link) != still.value().end()) {
      removed = deleted.error();
    }
  }
  return removed;
}

Result<std::vector<std::string>> ExistingRuns() {
  std::set<std::string> runs;
  for (bool namespaces : {true, false}) {
    Result<std::vector<std::string>> names = NamesWithPrefix(kNetnsPrefix, namespaces);
    if (!names.ok()) return names.error();
    for (const std::string& name : names.value()) {
      const std::string rest = name.substr(std::string(kNetnsPrefix).size());
      runs.insert(rest.substr(0, rest.find('-')));
    }
  }
  return std::vector<std::string>(runs.begin(), runs.end());
}

}  // namespace ts::launcher::chaos
