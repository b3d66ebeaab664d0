#include "channels/meta_handshake.h"

#include "common/crypto.h"

namespace atalaya::channels {

std::optional<std::string> AnswerMetaHandshake(std::string_view mode, std::string_view token,
                                               std::string_view challenge,
                                               const std::vector<std::string>& verify_tokens) {
  if (mode != "subscribe") return std::nullopt;
  bool matched = false;
  for (const std::string& configured : verify_tokens) {
    if (configured.empty()) continue;
    matched |= ConstantTimeEquals(token, configured);
  }
  if (!matched) return std::nullopt;
  return std::string(challenge);
}

}  // namespace atalaya::channels
