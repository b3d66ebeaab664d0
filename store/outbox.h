#pragma once
// The outbox: every message atalaya sends is first a row here, written in the same
// transaction as the decision (or API call) that caused it; a sender worker then delivers it.
//
//   kPending ──MarkOutboundSending──► kSending ──MarkOutboundSent──► kSent
//      ▲                                  │
//      └──────MarkOutboundRetry───────────┤ (transient: 5xx, timeout, rate limit)
//                                         └──MarkOutboundFailed──► kFailed (permanent)
//
// Exactly once, except the one window no client can close (the platforms take no
// idempotency key): a crash after the request left and before kSent was stored. Such a row is
// found in kSending at start, resent, and flagged possible_duplicate.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/event.h"

namespace atalaya::store {

enum class OutboxState { kPending, kSending, kSent, kFailed };
const char* OutboxStateName(OutboxState state);  // "pending", "sending", "sent", "failed"
std::optional<OutboxState> ParseOutboxState(std::string_view name);

struct OutboundError {
  int64_t code = 0;     // the platform's error code (e.g. 131047, 551, 190), 0 for ours
  int64_t subcode = 0;  // Graph error_subcode when present
  std::string message;  // the platform's or our own reason, for agents and logs
};

// What a caller asks to send. `kind` and `payload_json` are the channel's to interpret:
//   kind: "text" | "quick_replies" | "buttons" | "template" | "interactive" | "private_reply"
//         | "public_reply" | "hide_comment" | "unhide_comment" | "mark_read" | "sender_action"
//   payload_json: the kind's parameters, e.g. {"text":"..."} or {"name":..,"language":..}
struct NewOutbound {
  Channel channel = Channel::kWhatsApp;
  std::string account_id;       // our side: phone_number_id / Page id / IG account id
  int64_t conversation_id = 0;  // 0 = resolve from IngestItem::events[event_index]
  int event_index = -1;
  std::string recipient_id;  // PSID / IGSID / wa_id, or the comment/post id for replies
  std::string kind;
  std::string payload_json;
  std::string author;           // "bot", "agent:<id>", "api"
  std::string idempotency_key;  // optional; a repeat returns kAlreadyExists
  bool human_agent = false;     // sent by a person: Messenger's HUMAN_AGENT tag may apply
};

struct OutboundMessage {
  int64_t id = 0;
  NewOutbound request;
  OutboxState state = OutboxState::kPending;
  int attempts = 0;
  int64_t created_ms = 0;
  int64_t next_attempt_ms = 0;
  int64_t sent_ms = 0;
  std::string platform_message_id;
  OutboundError last_error;
  bool possible_duplicate = false;
  DeliveryStatus delivery = DeliveryStatus::kNone;  // from status webhooks, once sent
};

}  // namespace atalaya::store
