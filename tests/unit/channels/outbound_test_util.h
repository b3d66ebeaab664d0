#pragma once
// Builders shared by the outbound tests: a message of a channel/kind, and JSON helpers.

#include <nlohmann/json.hpp>
#include <string>

#include "store/outbox.h"

namespace atalaya::channels::testing {

inline store::NewOutbound Outbound(Channel channel, std::string kind, nlohmann::json payload,
                                   std::string recipient = "RECIPIENT") {
  store::NewOutbound message;
  message.channel = channel;
  message.account_id = channel == Channel::kWhatsApp ? "PHONE_ID" : "ACCOUNT_ID";
  message.conversation_id = 1;
  message.recipient_id = std::move(recipient);
  message.kind = std::move(kind);
  message.payload_json = payload.dump();
  message.author = "bot";
  return message;
}

// `count` copies of `unit` (e.g. "é", two bytes, one character).
inline std::string Repeat(const std::string& unit, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += unit;
  return out;
}

}  // namespace atalaya::channels::testing
