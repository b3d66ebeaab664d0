#pragma once
// Conversations: the thread an event belongs to. A private thread is one per (channel,
// account, contact); a public thread is one per (channel, account, thread_id = the post).
// last_inbound_ms keeps the customer's latest message time (the 24 h reply windows).
//
// Threads: functions use only the connection they are given. Errors: SQLiteCpp exceptions
// propagate to the store's edge.

#include <cstdint>
#include <optional>

#include "common/event.h"
#include "store/connection.h"
#include "store/store.h"

namespace atalaya::store {

// Whether an event of this kind opens or renews the customer's reply window.
bool IsInboundFromCustomer(EventKind kind);

// Finds or creates the conversation of an event (0 when it belongs to none: no contact for a
// private event, no thread for a public one) and moves last_inbound_ms forward — only for
// what a customer wrote (direction kInbound), never for the account's own messages.
int64_t ResolveConversation(Connection& conn, const Event& event, int64_t contact_id,
                            int64_t now_ms);

// Moves every conversation of contact `from` to contact `into` (a contact merge). Two private
// threads on the same (channel, account) become one: events, deliveries and outbox rows move
// to the older.
void MergeConversations(Connection& conn, int64_t from, int64_t into);

std::optional<Conversation> LoadConversation(Connection& conn, int64_t conversation_id);

}  // namespace atalaya::store
