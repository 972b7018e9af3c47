// CURVE key pairs on disk: BASE.pub holds the public key, BASE.secret the
// secret key, each as one line of Z85 text.
//
// Writing never overwrites and never exposes a secret: each file is written
// to a fresh temporary (O_CREAT|O_EXCL, mode 0600 from the start, whatever
// the umask) and then linked to its name, which fails if the name exists, so
// a reader sees a whole key or none. Reading refuses a secret file that group
// or others may read or write, naming the file and the chmod that fixes it.
// Every error names the path. Secrets are never logged.
#pragma once

#include <filesystem>

#include "common/security/curve_key.h"
#include "common/status.h"

namespace ts::security {

inline constexpr std::string_view kPublicKeySuffix = ".pub";
inline constexpr std::string_view kSecretKeySuffix = ".secret";
inline constexpr unsigned kSecretFileMode = 0600;
inline constexpr unsigned kPublicFileMode = 0644;  // before the umask
inline constexpr size_t kMaxKeyFileBytes = 256;    // a key line is 41 bytes

std::filesystem::path PublicKeyPath(const std::filesystem::path& base);  // BASE.pub
std::filesystem::path SecretKeyPath(const std::filesystem::path& base);  // BASE.secret

// Writes BASE.secret, then BASE.pub. Fails without touching anything if
// either exists. (A crash between the two leaves a secret without its public
// file; EnsureClusterKeys derives the public key again.)
Status WriteKeyPair(const std::filesystem::path& base, const CurveKeyPair& pair);

// Writes one public key file; fails if `path` exists.
Status WritePublicKeyFile(const std::filesystem::path& path, const CurveKey& public_key);

Result<CurveKey> ReadPublicKeyFile(const std::filesystem::path& path);
// Refuses a file with any group or other permission bit (mode & 077).
Result<CurveKey> ReadSecretKeyFile(const std::filesystem::path& path);

// BASE.secret and BASE.pub, checked to belong together.
Result<CurveKeyPair> ReadKeyPair(const std::filesystem::path& base);

}  // namespace ts::security
