#pragma once
// Parsing of a stored Meta webhook body into normalized events: the ingest worker's half of
// every Meta channel (the request-time half is meta_signature.h and meta_envelope.h).
//
// Total: it never fails and never throws. The body is routed by its "object":
//   "whatsapp_business_account" -> WhatsApp (whatsapp_webhook.h), every entry and change;
//   "page", "instagram"         -> Messenger, Page feed and Instagram (meta_social_webhook.h),
//                                  every entry, messaging event and change;
//   anything else               -> one kUnsupported event for the whole body.
// A body that fails ValidateMetaEnvelope (it should not have been stored) becomes one
// kUnsupported event whose dedup key hashes the raw bytes. Unsupported parts carry a reason
// and the dedup key "unsupported:" + hex SHA-256 of their compact JSON, so a re-delivery
// dedups too. Pure; any thread.

#include <string_view>
#include <vector>

#include "channels/meta_parse_options.h"
#include "common/event.h"

namespace atalaya::channels {

// The "object" values Meta sends.
inline constexpr char kWhatsAppObject[] = "whatsapp_business_account";
inline constexpr char kMessengerObject[] = "page";
inline constexpr char kInstagramObject[] = "instagram";

// Events in body order: entries, then (WhatsApp) changes, then messages, statuses and errors
// of each; (Messenger, Instagram) messaging[], then standby[], then changes[] of each entry.
// Echoes of our own sends (options.own_app_ids) produce no event.
std::vector<Event> ParseMetaWebhook(std::string_view body, const MetaParseOptions& options);

// The same with default options but for `unknown_channel`: no app of ours is known, so every
// echo is kept as a human's outbound message.
std::vector<Event> ParseMetaWebhook(std::string_view body,
                                    Channel unknown_channel = Channel::kWhatsApp);

}  // namespace atalaya::channels
