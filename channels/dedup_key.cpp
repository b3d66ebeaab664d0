#include "channels/dedup_key.h"

#include "common/crypto.h"

namespace atalaya::channels {

std::string CompositeDedupKey(std::string_view prefix, std::initializer_list<std::string> parts,
                              std::string_view raw_json) {
  std::string key(prefix);
  for (const std::string& part : parts) {
    if (part.empty()) return std::string(prefix) + ":" + HexEncode(Sha256(raw_json));
    key += ":" + part;
  }
  return key;
}

std::string ShortTextHash(std::string_view text) { return HexEncode(Sha256(text)).substr(0, 16); }

}  // namespace atalaya::channels
