#include "store/conversations.h"

#include <string>
#include <vector>

namespace atalaya::store {
namespace {

constexpr int kMaxMergeHops = 64;

int64_t FindOrCreate(Connection& conn, const Event& event, int64_t contact_id,
                     const std::string& thread_id, int64_t now_ms) {
  const bool is_public = event.visibility == Visibility::kPublic;
  Statement select = conn.Prepare(
      is_public ? "SELECT id FROM conversations WHERE channel = ? AND account_id = ? AND "
                  "thread_id = ? AND visibility = 'public' AND merged_into IS NULL"
                : "SELECT id FROM conversations WHERE channel = ? AND account_id = ? AND "
                  "contact_id = ? AND visibility = 'private' AND merged_into IS NULL");
  select->bind(1, ChannelName(event.channel));
  select->bind(2, event.account_id);
  if (is_public) {
    select->bind(3, thread_id);
  } else {
    select->bind(3, contact_id);
  }
  if (select->executeStep()) return select->getColumn(0).getInt64();

  Statement insert = conn.Prepare(
      "INSERT INTO conversations (channel, account_id, visibility, "
      "contact_id, thread_id, created_ms) VALUES (?, ?, ?, ?, ?, ?)");
  insert->bind(1, ChannelName(event.channel));
  insert->bind(2, event.account_id);
  insert->bind(3, VisibilityName(event.visibility));
  // A public thread belongs to its post, not to one contact.
  insert->bind(4, is_public ? int64_t{0} : contact_id);
  insert->bind(5, is_public ? thread_id : std::string());
  insert->bind(6, now_ms);
  insert->exec();
  return conn.db().getLastInsertRowid();
}

void MoveThread(Connection& conn, int64_t from, int64_t into) {
  for (const char* sql : {"UPDATE events SET conversation_id = ? WHERE conversation_id = ?",
                          "UPDATE deliveries SET conversation_id = ? WHERE conversation_id = ?",
                          "UPDATE outbox SET conversation_id = ? WHERE conversation_id = ?",
                          "UPDATE conversations SET merged_into = ? WHERE merged_into = ?"}) {
    Statement update = conn.Prepare(sql);
    update->bind(1, into);
    update->bind(2, from);
    update->exec();
  }
  Statement keep_latest = conn.Prepare(
      "UPDATE conversations SET last_inbound_ms = MAX(last_inbound_ms, "
      "(SELECT last_inbound_ms FROM conversations WHERE id = ?)) WHERE id = ?");
  keep_latest->bind(1, from);
  keep_latest->bind(2, into);
  keep_latest->exec();
  Statement mark = conn.Prepare("UPDATE conversations SET merged_into = ? WHERE id = ?");
  mark->bind(1, into);
  mark->bind(2, from);
  mark->exec();
}

}  // namespace

bool IsInboundFromCustomer(EventKind kind) {
  // What the customer wrote to us; reactions, statuses and identity notices do not count.
  return kind == EventKind::kMessage || kind == EventKind::kPostback ||
         kind == EventKind::kComment || kind == EventKind::kMention || kind == EventKind::kReview;
}

int64_t ResolveConversation(Connection& conn, const Event& event, int64_t contact_id,
                            int64_t now_ms) {
  const bool is_public = event.visibility == Visibility::kPublic;
  // A public event's thread is its post: a top-level post is its own thread.
  const std::string thread_id = event.thread_id.empty() ? event.platform_id : event.thread_id;
  if (is_public ? thread_id.empty() : contact_id == 0) return 0;
  const int64_t conversation_id = FindOrCreate(conn, event, contact_id, thread_id, now_ms);
  if (event.direction == Direction::kInbound && IsInboundFromCustomer(event.kind)) {
    Statement update = conn.Prepare(
        "UPDATE conversations SET last_inbound_ms = MAX(last_inbound_ms, ?) "
        "WHERE id = ?");
    update->bind(1, event.timestamp_ms > 0 ? event.timestamp_ms : now_ms);
    update->bind(2, conversation_id);
    update->exec();
  }
  return conversation_id;
}

void MergeConversations(Connection& conn, int64_t from, int64_t into) {
  struct Thread {
    int64_t id;
    std::string channel;
    std::string account_id;
  };
  std::vector<Thread> threads;
  {
    Statement select = conn.Prepare(
        "SELECT id, channel, account_id FROM conversations "
        "WHERE contact_id = ? AND visibility = 'private' AND "
        "merged_into IS NULL");
    select->bind(1, from);
    while (select->executeStep()) {
      threads.push_back({select->getColumn(0).getInt64(), select->getColumn(1).getString(),
                         select->getColumn(2).getString()});
    }
  }
  for (const Thread& thread : threads) {
    Statement existing = conn.Prepare(
        "SELECT id FROM conversations WHERE channel = ? AND "
        "account_id = ? AND contact_id = ? AND visibility = 'private' "
        "AND merged_into IS NULL");
    existing->bind(1, thread.channel);
    existing->bind(2, thread.account_id);
    existing->bind(3, into);
    if (existing->executeStep()) {
      const int64_t target = existing->getColumn(0).getInt64();
      // The older contact's thread survives; ids grow with creation.
      if (target < thread.id) {
        MoveThread(conn, thread.id, target);
      } else {
        MoveThread(conn, target, thread.id);
        Statement adopt = conn.Prepare("UPDATE conversations SET contact_id = ? WHERE id = ?");
        adopt->bind(1, into);
        adopt->bind(2, thread.id);
        adopt->exec();
      }
      continue;
    }
    Statement adopt = conn.Prepare("UPDATE conversations SET contact_id = ? WHERE id = ?");
    adopt->bind(1, into);
    adopt->bind(2, thread.id);
    adopt->exec();
  }
}

std::optional<Conversation> LoadConversation(Connection& conn, int64_t conversation_id) {
  Statement select = conn.Prepare(
      "SELECT channel, account_id, visibility, contact_id, thread_id, "
      "last_inbound_ms, merged_into FROM conversations WHERE id = ?");
  for (int hop = 0; hop < kMaxMergeHops; ++hop) {
    select->reset();
    select->bind(1, conversation_id);
    if (!select->executeStep()) return std::nullopt;
    if (!select->getColumn(6).isNull()) {
      conversation_id = select->getColumn(6).getInt64();
      continue;
    }
    Conversation conversation;
    conversation.id = conversation_id;
    conversation.channel =
        ParseChannel(select->getColumn(0).getString()).value_or(Channel::kWhatsApp);
    conversation.account_id = select->getColumn(1).getString();
    conversation.visibility =
        select->getColumn(2).getString() == "public" ? Visibility::kPublic : Visibility::kPrivate;
    conversation.contact_id = select->getColumn(3).getInt64();
    conversation.thread_id = select->getColumn(4).getString();
    conversation.last_inbound_ms = select->getColumn(5).getInt64();
    return conversation;
  }
  return std::nullopt;
}

}  // namespace atalaya::store
