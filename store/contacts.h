#pragma once
// Contacts: who wrote an event, across the ids each platform gives them.
//
// A contact has many identities (channel, kind, external_id), each unique. An event names up
// to three (author.id, author.alt_id, and for an identity change new_author_id). When they
// belong to no contact, a new one is created; to one, the missing identities join it; to
// several, the newer contacts are merged into the oldest: identities, events, conversations
// and deliveries move, and the merged row keeps `merged_into` so old ids still resolve.
// Name and phone follow the latest event (by its timestamp) that carries them.
//
// WhatsApp identity kinds: an id containing '.' is a business-scoped user id ("bsuid",
// e.g. "US.1349..."), anything else a phone-based "wa_id".
//
// Threads: functions use only the connection they are given (the writer's for changes).
// Errors: SQLiteCpp exceptions propagate to the store's edge.

#include <cstdint>
#include <optional>
#include <string>

#include "common/event.h"
#include "store/connection.h"
#include "store/store.h"

namespace atalaya::store {

// The identity kind an external id has on `channel` ("bsuid", "wa_id", "psid", ...).
std::string IdentityKind(Channel channel, const std::string& external_id);

// Finds or creates (merging as above) the contact the event's author names — or, for an
// event the account wrote (direction != kInbound), the contact its recipient_id names; such
// an event never changes the contact's name or phone. Returns 0 when the event names no
// identity.
int64_t ResolveContact(Connection& conn, const Event& event, int64_t now_ms);

// Loads a contact with its identities, following merges to the surviving contact.
std::optional<Contact> LoadContact(Connection& conn, int64_t contact_id);

// The contact holding (channel, external_id) under any kind.
std::optional<Contact> LoadContactByIdentity(Connection& conn, Channel channel,
                                             const std::string& external_id);

}  // namespace atalaya::store
