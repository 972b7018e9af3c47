#include "common/security/curve_key.h"

#include <zmq.h>

#include <cctype>
#include <cstring>

namespace ts::security {
namespace {

Error KeyError(std::string message) { return Error{ErrorKind::kInternal, std::move(message)}; }

// Z85's alphabet (RFC 32); zmq_z85_decode does not report which character is bad.
constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

}  // namespace

Result<CurveKey> DecodeZ85Key(std::string_view text, std::string_view what) {
  text = Trim(text);
  if (text.size() != kCurveKeyZ85Chars) {
    return KeyError(std::string(what) + ": not a CURVE key: expected " + std::to_string(kCurveKeyZ85Chars) +
                    " Z85 characters, found " + std::to_string(text.size()));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (kZ85Alphabet.find(text[i]) == std::string_view::npos) {
      return KeyError(std::string(what) + ": not a CURVE key: character " + std::to_string(i + 1) +
                      " is not Z85 (keys are written by tskeys)");
    }
  }
  const std::string terminated(text);
  CurveKey key{};
  if (zmq_z85_decode(key.data(), terminated.c_str()) == nullptr) {
    return KeyError(std::string(what) + ": not a CURVE key: Z85 decoding failed");
  }
  return key;
}

std::string EncodeZ85Key(const CurveKey& key) {
  char text[kCurveKeyZ85Chars + 1] = {};
  zmq_z85_encode(text, key.data(), key.size());
  return std::string(text, kCurveKeyZ85Chars);
}

std::string KeyFingerprint(const CurveKey& public_key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(kFingerprintBytes * 2);
  for (size_t i = 0; i < kFingerprintBytes; ++i) {
    hex += kHex[public_key[i] >> 4];
    hex += kHex[public_key[i] & 0xf];
  }
  return hex;
}

bool CurveAvailable() { return zmq_has("curve") != 0; }

Result<CurveKeyPair> GenerateCurveKeyPair() {
  char public_text[kCurveKeyZ85Chars + 1] = {};
  char secret_text[kCurveKeyZ85Chars + 1] = {};
  if (zmq_curve_keypair(public_text, secret_text) != 0) {
    return KeyError(std::string("cannot generate a CURVE key pair: ") + zmq_strerror(zmq_errno()) +
                    " (is libzmq built with libsodium?)");
  }
  CurveKeyPair pair;
  const bool decoded = zmq_z85_decode(pair.public_key.data(), public_text) != nullptr &&
                       zmq_z85_decode(pair.secret_key.data(), secret_text) != nullptr;
  std::memset(secret_text, 0, sizeof(secret_text));
  if (!decoded) return KeyError("cannot generate a CURVE key pair: libzmq returned a key that is not Z85");
  return pair;
}

Result<CurveKey> PublicKeyOf(const CurveKey& secret_key) {
  const std::string secret_text = EncodeZ85Key(secret_key);
  char public_text[kCurveKeyZ85Chars + 1] = {};
  if (zmq_curve_public(public_text, secret_text.c_str()) != 0) {
    return KeyError(std::string("cannot derive a CURVE public key: ") + zmq_strerror(zmq_errno()));
  }
  CurveKey public_key{};
  zmq_z85_decode(public_key.data(), public_text);
  return public_key;
}

}  // namespace ts::security
