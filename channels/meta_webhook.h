#pragma once
// Parsing of a stored Meta webhook body into normalized events: the ingest worker's half of
// every Meta channel (the request-time half is meta_signature.h and meta_envelope.h).
//
// Total: it never fails and never throws. The body is routed by its "object":
//   "whatsapp_business_account" -> WhatsApp (whatsapp_webhook.h), every entry and change;
//   "page", "instagram"         -> Messenger / Instagram: not parsed yet (issue 4), each entry
//                                  is kept as kUnsupported with that reason;
//   anything else               -> one kUnsupported event for the whole body.
// A body that fails ValidateMetaEnvelope (it should not have been stored) becomes one
// kUnsupported event whose dedup key hashes the raw bytes. Unsupported parts carry a reason
// and the dedup key "unsupported:" + hex SHA-256 of their compact JSON, so a re-delivery
// dedups too. Pure; any thread.

#include <string_view>
#include <vector>

#include "common/event.h"

namespace atalaya::channels {

// The "object" values Meta sends.
inline constexpr char kWhatsAppObject[] = "whatsapp_business_account";
inline constexpr char kMessengerObject[] = "page";
inline constexpr char kInstagramObject[] = "instagram";

// Events in body order: entries, then changes, then messages, statuses and errors of each.
// `unknown_channel` is the channel given to events of a body whose object is unknown or
// missing (a route knows which platform it serves).
std::vector<Event> ParseMetaWebhook(std::string_view body,
                                    Channel unknown_channel = Channel::kWhatsApp);

}  // namespace atalaya::channels
