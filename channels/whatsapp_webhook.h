#pragma once
// WhatsApp Cloud API webhook parsing: one `entry[]` element of an
// {"object":"whatsapp_business_account"} body into normalized events.
//
// Total: nothing here fails. Every message, status and error of a "messages" change becomes
// one event; a part that cannot be understood (another change field, a garbage change, an
// unknown message type) becomes a kUnsupported event with a reason, never a crash and never
// silence. Called by ParseMetaWebhook; pure, any thread.
//
// Mapping (see PLATFORMS.md, "WhatsApp Cloud API"):
//   account_id   value.metadata.phone_number_id
//   author       id = BSUID when present, else wa_id; alt_id = wa_id when both; phone = wa_id
//                digits; name and handle from the matching contacts[] profile
//   timestamp    seconds (string or number) -> ms
//   dedup_key    messages: their id (wamid); statuses: "<id>:<status>"; unsupported parts
//                without an id: "unsupported:" + hex SHA-256 of their compact JSON
//   raw_json     the message's / status's own compact JSON

#include <vector>

#include "channels/json_fields.h"
#include "common/event.h"

namespace atalaya::channels {

// Appends the events of one entry (an object with a "changes" array) to `events`.
void AppendWhatsAppEntryEvents(const Json& entry, std::vector<Event>* events);

// Appends the events of one entry[].changes[] element to `events`.
void AppendWhatsAppChangeEvents(const Json& change, std::vector<Event>* events);

}  // namespace atalaya::channels
