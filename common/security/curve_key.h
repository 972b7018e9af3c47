// CURVE keys in memory: 32 raw bytes, their Z85 text (40 characters, what key
// files and allow-lists hold), a short fingerprint for logs, and key-pair
// generation through libzmq (zmq_curve_keypair, libsodium underneath).
//
// A secret key is never logged or printed: nothing here formats one except
// EncodeZ85Key, which key_files.cpp uses to write the secret file. Decoding
// errors name `what` (usually a file path) so the operator knows which key is bad.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ts::security {

inline constexpr size_t kCurveKeyBytes = 32;
inline constexpr size_t kCurveKeyZ85Chars = 40;
inline constexpr size_t kFingerprintBytes = 8;  // 16 hex digits in logs

using CurveKey = std::array<uint8_t, kCurveKeyBytes>;

struct CurveKeyPair {
  CurveKey public_key{};
  CurveKey secret_key{};
};

// The 40-character Z85 text of `text` (surrounding whitespace ignored), or an
// error naming `what`: wrong length, or a character outside Z85's alphabet.
Result<CurveKey> DecodeZ85Key(std::string_view text, std::string_view what);
std::string EncodeZ85Key(const CurveKey& key);

// The first kFingerprintBytes of a public key in hex: enough to tell keys
// apart in a log; `tskeys fingerprint FILE` prints the same for a key file.
std::string KeyFingerprint(const CurveKey& public_key);

// A fresh pair from libzmq; an error if this libzmq has no CURVE.
Result<CurveKeyPair> GenerateCurveKeyPair();

// The public key that belongs to `secret_key` (zmq_curve_public).
Result<CurveKey> PublicKeyOf(const CurveKey& secret_key);

// Whether this libzmq was built with CURVE (zmq_has("curve")).
bool CurveAvailable();

}  // namespace ts::security
