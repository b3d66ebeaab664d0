#include "common/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <memory>

namespace atalaya {

std::string Sha256(std::string_view data) {
  // SHA256() fetches the algorithm from OpenSSL's provider store on every call, under a lock
  // all the webhook handlers share: it cost a third more than hashing the body. Fetched once
  // here, with one reusable context per thread.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
      EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int length = 0;
  if (sha256 == nullptr || context == nullptr ||
      EVP_DigestInit_ex2(context.get(), sha256, nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &length) != 1) {
    // Out of memory in OpenSSL: the one-shot call still works.
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  }
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

namespace {

// HMAC() fetches the algorithm and builds a context on every call, which cost more than
// hashing a whole webhook body. Each thread keeps a few keyed contexts instead (a daemon
// checks every body against the same one or two app secrets) and re-initializes one with
// its key already set.
class HmacContexts {
 public:
  HmacContexts() = default;
  HmacContexts(const HmacContexts&) = delete;
  HmacContexts& operator=(const HmacContexts&) = delete;
  ~HmacContexts() {
    for (Slot& slot : slots_) EVP_MAC_CTX_free(slot.context);
  }

  // A context ready for EVP_MAC_update with `key`, or nullptr when OpenSSL failed.
  EVP_MAC_CTX* Ready(std::string_view key) {
    for (Slot& slot : slots_) {
      if (slot.context != nullptr && slot.key == key) {
        return EVP_MAC_init(slot.context, nullptr, 0, nullptr) == 1 ? slot.context : nullptr;
      }
    }
    Slot& slot = slots_[next_victim_];
    next_victim_ = (next_victim_ + 1) % kSlots;
    EVP_MAC_CTX_free(slot.context);
    slot.key.assign(key);
    slot.context = EVP_MAC_CTX_new(Mac());
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", const_cast<char*>("SHA256"), 0),
        OSSL_PARAM_construct_end()};
    if (slot.context == nullptr ||
        EVP_MAC_init(slot.context, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     params) != 1) {
      EVP_MAC_CTX_free(slot.context);
      slot.context = nullptr;
      return nullptr;
    }
    return slot.context;
  }

 private:
  static EVP_MAC* Mac() {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
  }

  static constexpr size_t kSlots = 4;
  struct Slot {
    std::string key;
    EVP_MAC_CTX* context = nullptr;
  };
  Slot slots_[kSlots];
  size_t next_victim_ = 0;
};

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view data) {
  thread_local HmacContexts contexts;
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t length = 0;
  EVP_MAC_CTX* context = contexts.Ready(key);
  if (context != nullptr &&
      EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(data.data()), data.size()) ==
          1 &&
      EVP_MAC_final(context, digest, &length, sizeof(digest)) == 1) {
    return std::string(reinterpret_cast<const char*>(digest), length);
  }
  // OpenSSL could not set up a context (out of memory): the one-shot call still works.
  unsigned int one_shot_length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &one_shot_length);
  return std::string(reinterpret_cast<const char*>(digest), one_shot_length);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(n);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace atalaya
