// Keys in memory and on disk: Z85, fingerprints, generation, the key files'
// modes and refusals, and a cluster's key layout.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/security/cluster_keys.h"
#include "common/security/key_files.h"
#include "tests/support/process.h"

using namespace ts::security;
using ts::testing::ReadFile;
using ts::testing::TempDir;
namespace fs = std::filesystem;

namespace {

unsigned ModeOf(const fs::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

CurveKeyPair NewPair() {
  ts::Result<CurveKeyPair> pair = GenerateCurveKeyPair();
  REQUIRE(pair.ok());
  return pair.value();
}

// Sets the umask for one scope.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }

 private:
  mode_t old_;
};

}  // namespace

TEST_CASE("keys: a generated pair belongs together and Z85 round-trips", "[security][keys]") {
  REQUIRE(CurveAvailable());
  const CurveKeyPair a = NewPair();
  const CurveKeyPair b = NewPair();
  CHECK(a.public_key != b.public_key);
  ts::Result<CurveKey> derived = PublicKeyOf(a.secret_key);
  REQUIRE(derived.ok());
  CHECK(derived.value() == a.public_key);
  const std::string text = EncodeZ85Key(a.public_key);
  CHECK(text.size() == kCurveKeyZ85Chars);
  ts::Result<CurveKey> decoded = DecodeZ85Key("  " + text + "\n", "here");
  REQUIRE(decoded.ok());
  CHECK(decoded.value() == a.public_key);
  CHECK(KeyFingerprint(a.public_key).size() == 2 * kFingerprintBytes);
  CHECK(KeyFingerprint(a.public_key) != KeyFingerprint(b.public_key));
}

TEST_CASE("keys: Z85 decoding says what is wrong and where", "[security][keys]") {
  ts::Result<CurveKey> short_key = DecodeZ85Key("abc", "/some/file.pub");
  REQUIRE_FALSE(short_key.ok());
  CHECK_THAT(short_key.error().message, Catch::Contains("/some/file.pub") && Catch::Contains("expected 40") &&
                                            Catch::Contains("found 3"));
  std::string bad = EncodeZ85Key(NewPair().public_key);
  bad[7] = '~';
  ts::Result<CurveKey> bad_char = DecodeZ85Key(bad, "/some/file.pub");
  REQUIRE_FALSE(bad_char.ok());
  CHECK_THAT(bad_char.error().message, Catch::Contains("/some/file.pub") && Catch::Contains("character 8"));
}

TEST_CASE("keys: a secret file is 0600 from the start and a public one 0644, whatever the umask",
          "[security][keys]") {
  TempDir dir;
  for (mode_t mask : {mode_t{0}, mode_t{022}, mode_t{077}}) {
    ScopedUmask umask(mask);
    const fs::path base = dir.path() / ("pair-" + std::to_string(mask));
    const CurveKeyPair pair = NewPair();
    REQUIRE(WriteKeyPair(base, pair).ok());
    CHECK(ModeOf(SecretKeyPath(base)) == 0600);
    CHECK(ModeOf(PublicKeyPath(base)) == 0644);
    ts::Result<CurveKeyPair> read = ReadKeyPair(base);
    REQUIRE(read.ok());
    CHECK(read.value().public_key == pair.public_key);
    CHECK(read.value().secret_key == pair.secret_key);
  }
  // No temporary is left beside the keys.
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) files += entry.is_regular_file() ? 1 : 0;
  CHECK(files == 6);
}

TEST_CASE("keys: a pair is never overwritten", "[security][keys]") {
  TempDir dir;
  const fs::path base = dir.path() / "node-1";
  REQUIRE(WriteKeyPair(base, NewPair()).ok());
  const std::string secret_before = ReadFile(SecretKeyPath(base).string());
  const std::string public_before = ReadFile(PublicKeyPath(base).string());

  ts::Status again = WriteKeyPair(base, NewPair());
  REQUIRE_FALSE(again.ok());
  CHECK_THAT(again.error().message, Catch::Contains(SecretKeyPath(base).string()) && Catch::Contains("never overwritten"));
  CHECK(ReadFile(SecretKeyPath(base).string()) == secret_before);
  CHECK(ReadFile(PublicKeyPath(base).string()) == public_before);

  // Only the public file there: still refused, and the secret is not written.
  const fs::path lone = dir.path() / "lone";
  REQUIRE(WritePublicKeyFile(PublicKeyPath(lone), NewPair().public_key).ok());
  ts::Status half = WriteKeyPair(lone, NewPair());
  REQUIRE_FALSE(half.ok());
  CHECK_THAT(half.error().message, Catch::Contains(PublicKeyPath(lone).string()));
  CHECK_FALSE(fs::exists(SecretKeyPath(lone)));
}

TEST_CASE("keys: a secret file open to group or others is refused, naming the path and the fix",
          "[security][keys]") {
  TempDir dir;
  const fs::path base = dir.path() / "broker-1";
  REQUIRE(WriteKeyPair(base, NewPair()).ok());
  const fs::path secret = SecretKeyPath(base);
  for (mode_t mode : {mode_t{0640}, mode_t{0604}, mode_t{0620}}) {
    REQUIRE(::chmod(secret.c_str(), mode) == 0);
    ts::Result<CurveKey> key = ReadSecretKeyFile(secret);
    REQUIRE_FALSE(key.ok());
    CHECK_THAT(key.error().message, Catch::Contains(secret.string()) && Catch::Contains("chmod 600 " + secret.string()));
    CHECK_FALSE(ReadKeyPair(base).ok());
  }
  REQUIRE(::chmod(secret.c_str(), 0600) == 0);
  CHECK(ReadKeyPair(base).ok());
  REQUIRE(::chmod(secret.c_str(), 0400) == 0);  // read-only for the owner is fine
  CHECK(ReadKeyPair(base).ok());
}

TEST_CASE("keys: unreadable, short, or mismatched key files are errors naming the file", "[security][keys]") {
  TempDir dir;
  ts::Result<CurveKey> missing = ReadPublicKeyFile(dir.path() / "nobody.pub");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains((dir.path() / "nobody.pub").string()) &&
                                          Catch::Contains("No such file") && Catch::Contains("tskeys"));

  const fs::path short_file = dir.path() / "short.pub";
  WriteText(short_file, "abc\n");
  ts::Result<CurveKey> too_short = ReadPublicKeyFile(short_file);
  REQUIRE_FALSE(too_short.ok());
  CHECK_THAT(too_short.error().message, Catch::Contains(short_file.string()) && Catch::Contains("expected 40"));

  const fs::path long_file = dir.path() / "long.pub";
  WriteText(long_file, std::string(1000, 'a'));
  ts::Result<CurveKey> too_long = ReadPublicKeyFile(long_file);
  REQUIRE_FALSE(too_long.ok());
  CHECK_THAT(too_long.error().message, Catch::Contains(long_file.string()));

  CHECK_FALSE(ReadPublicKeyFile(dir.path()).ok());  // a folder

  // A secret with another pair's public file.
  const fs::path a = dir.path() / "a";
  const fs::path b = dir.path() / "b";
  REQUIRE(WriteKeyPair(a, NewPair()).ok());
  REQUIRE(WriteKeyPair(b, NewPair()).ok());
  fs::remove(PublicKeyPath(a));
  fs::copy_file(PublicKeyPath(b), PublicKeyPath(a));
  ts::Result<CurveKeyPair> mismatched = ReadKeyPair(a);
  REQUIRE_FALSE(mismatched.ok());
  CHECK_THAT(mismatched.error().message, Catch::Contains(PublicKeyPath(a).string()) &&
                                             Catch::Contains("does not belong"));
}

TEST_CASE("cluster keys: made once in the layout, kept after, never overwritten", "[security][keys]") {
  TempDir dir;
  const std::vector<uint32_t> nodes{1, 2, 3};
  const std::vector<uint32_t> brokers{1};
  ts::Result<EnsuredKeys> first = EnsureClusterKeys(dir.path(), nodes, brokers);
  REQUIRE(first.ok());
  CHECK(first.value().created.size() == 6);
  CHECK(first.value().kept.empty());

  const ClusterKeyLayout layout(dir.path());
  CHECK(ModeOf(layout.keys_dir()) == kKeyDirMode);
  std::vector<fs::path> bases{layout.NodeKey(1), layout.NodeKey(2), layout.NodeKey(3), layout.BrokerKey(1),
                              layout.AdminKey(), layout.ClientKey()};
  std::map<fs::path, std::string> secrets;
  for (const fs::path& base : bases) {
    INFO(base);
    CHECK(ModeOf(SecretKeyPath(base)) == 0600);
    REQUIRE(ReadKeyPair(base).ok());
    secrets[base] = ReadFile(SecretKeyPath(base).string());
  }
  CHECK(layout.NodeKey(2) == dir.path() / "keys" / "nodes" / "node-2");
  CHECK(layout.AdminKey() == dir.path() / "keys" / "admins" / "admin");

  // A second run with one more node makes that one only.
  ts::Result<EnsuredKeys> second = EnsureClusterKeys(dir.path(), std::vector<uint32_t>{1, 2, 3, 4}, brokers);
  REQUIRE(second.ok());
  REQUIRE(second.value().created.size() == 1);
  CHECK(second.value().created[0] == layout.NodeKey(4));
  CHECK(second.value().kept.size() == 6);
  for (const fs::path& base : bases) CHECK(ReadFile(SecretKeyPath(base).string()) == secrets[base]);

  // A lost public file is derived again from its secret.
  const std::string public_before = ReadFile(PublicKeyPath(layout.NodeKey(2)).string());
  fs::remove(PublicKeyPath(layout.NodeKey(2)));
  ts::Result<EnsuredKeys> third = EnsureClusterKeys(dir.path(), nodes, brokers);
  REQUIRE(third.ok());
  REQUIRE(third.value().restored.size() == 1);
  CHECK(ReadFile(PublicKeyPath(layout.NodeKey(2)).string()) == public_before);

  // A lost secret cannot be made again: an error naming the orphan public file.
  fs::remove(SecretKeyPath(layout.NodeKey(3)));
  ts::Result<EnsuredKeys> fourth = EnsureClusterKeys(dir.path(), nodes, brokers);
  REQUIRE_FALSE(fourth.ok());
  CHECK_THAT(fourth.error().message, Catch::Contains(PublicKeyPath(layout.NodeKey(3)).string()) &&
                                         Catch::Contains("no secret"));
  CHECK_FALSE(fs::exists(SecretKeyPath(layout.NodeKey(3))));

  // A group-readable secret stops it too.
  fs::remove(PublicKeyPath(layout.NodeKey(3)));
  REQUIRE(::chmod(SecretKeyPath(layout.AdminKey()).c_str(), 0640) == 0);
  ts::Result<EnsuredKeys> fifth = EnsureClusterKeys(dir.path(), nodes, brokers);
  REQUIRE_FALSE(fifth.ok());
  CHECK_THAT(fifth.error().message, Catch::Contains(SecretKeyPath(layout.AdminKey()).string()));

  CHECK_FALSE(EnsureClusterKeys(dir.path(), std::vector<uint32_t>{0}, brokers).ok());
}
