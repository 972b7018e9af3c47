// tskeys: makes and inspects tuplestar's CURVE keys.
//   tskeys keygen --out DIR/NAME          DIR/NAME.pub and DIR/NAME.secret (0600)
//   tskeys cluster DIR --nodes 1,2,3 --brokers 1
//                                         DIR/keys/ as cluster_keys.h lays it out;
//                                         only what is missing, never overwriting
//   tskeys fingerprint FILE...            the fingerprint logs show, of .pub or .secret files
// Exit status: 0 done, 1 a key problem (the message names the file), 2 usage.
// Secret keys are never printed.
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/security/cluster_keys.h"
#include "common/security/key_files.h"

namespace fs = std::filesystem;
namespace sec = ts::security;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitKeyProblem = 1;
constexpr int kExitUsage = 2;

int Fail(const ts::Error& error) {
  std::cerr << "tskeys: " << error.message << "\n";
  return kExitKeyProblem;
}

int Keygen(const fs::path& base) {
  if (base.filename().empty()) return Fail({ts::ErrorKind::kInternal, base.string() + ": give DIR/NAME, not a folder"});
  std::error_code ignored;
  if (base.has_parent_path()) fs::create_directories(base.parent_path(), ignored);
  ts::Result<sec::CurveKeyPair> pair = sec::GenerateCurveKeyPair();
  if (!pair.ok()) return Fail(pair.error());
  ts::Status written = sec::WriteKeyPair(base, pair.value());
  if (!written.ok()) return Fail(written.error());
  std::cout << "wrote " << sec::PublicKeyPath(base).string() << " (fingerprint "
            << sec::KeyFingerprint(pair.value().public_key) << ") and " << sec::SecretKeyPath(base).string()
            << " (mode 0600)\n";
  return kExitOk;
}

int Cluster(const fs::path& dir, const std::vector<uint32_t>& nodes, const std::vector<uint32_t>& brokers) {
  ts::Result<sec::EnsuredKeys> keys = sec::EnsureClusterKeys(dir, nodes, brokers);
  if (!keys.ok()) return Fail(keys.error());
  auto print = [](const char* what, const std::vector<fs::path>& bases) {
    for (const fs::path& base : bases) {
      ts::Result<sec::CurveKey> key = sec::ReadPublicKeyFile(sec::PublicKeyPath(base));
      std::cout << what << " " << base.string() << " (" << (key.ok() ? sec::KeyFingerprint(key.value()) : "?")
                << ")\n";
    }
  };
  print("created", keys.value().created);
  print("restored public key of", keys.value().restored);
  print("kept", keys.value().kept);
  return kExitOk;
}

int Fingerprint(const std::vector<std::string>& files) {
  int status = kExitOk;
  for (const fs::path file : files) {
    ts::Result<sec::CurveKey> key = file.extension() == sec::kSecretKeySuffix
                                        ? sec::ReadSecretKeyFile(file)
                                        : sec::ReadPublicKeyFile(file);
    if (key.ok() && file.extension() == sec::kSecretKeySuffix) key = sec::PublicKeyOf(key.value());
    if (!key.ok()) {
      status = Fail(key.error());
      continue;
    }
    std::cout << sec::KeyFingerprint(key.value()) << "  " << file.string() << "\n";
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tskeys: makes tuplestar's CURVE key pairs (secret files mode 0600, never overwritten)", "tskeys"};
  app.require_subcommand(1);

  std::string out;
  CLI::App* keygen = app.add_subcommand("keygen", "write one pair: NAME.pub and NAME.secret");
  keygen->add_option("--out", out, "DIR/NAME of the pair")->required();

  const CLI::Range kIdRange(uint32_t{1}, std::numeric_limits<uint32_t>::max());
  std::string dir;
  std::vector<uint32_t> nodes;
  std::vector<uint32_t> brokers;
  CLI::App* cluster = app.add_subcommand("cluster", "make the missing keys of a cluster under DIR/keys/");
  cluster->add_option("dir", dir, "the cluster's data folder")->required();
  cluster->add_option("--nodes", nodes, "node ids, e.g. 1,2,3")->delimiter(',')->check(kIdRange);
  cluster->add_option("--brokers", brokers, "broker ids, e.g. 1")->delimiter(',')->check(kIdRange);

  std::vector<std::string> files;
  CLI::App* fingerprint = app.add_subcommand("fingerprint", "print the fingerprint of key files (.pub or .secret)");
  fingerprint->add_option("files", files, "key files")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& done) {
    return app.exit(done);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return kExitUsage;
  }
  if (*keygen) return Keygen(out);
  if (*cluster) return Cluster(dir, nodes, brokers);
  return Fingerprint(files);
}
