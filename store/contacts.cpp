#include "store/contacts.h"

#include <algorithm>
#include <vector>

#include "store/conversations.h"

namespace atalaya::store {
namespace {

// Merges form chains only through bugs or hand edits; bound the walk anyway.
constexpr int kMaxMergeHops = 64;

struct NamedIdentity {
  std::string kind;
  std::string external_id;
};

std::vector<NamedIdentity> IdentitiesOf(const Event& event) {
  std::vector<NamedIdentity> identities;
  auto add = [&](const std::string& id) {
    if (id.empty()) return;
    for (const NamedIdentity& known : identities) {
      if (known.external_id == id) return;
    }
    identities.push_back({IdentityKind(event.channel, id), id});
  };
  if (event.direction != Direction::kInbound) {
    // The account wrote it (an echo, the Page's own comment): the customer is the recipient.
    add(event.recipient_id);
    return identities;
  }
  add(event.author.id);
  add(event.author.alt_id);
  // A number change: the new ids belong to the same person.
  if (event.kind == EventKind::kIdentity) {
    add(event.new_author_id);
    add(event.new_author_alt_id);
  }
  return identities;
}

int64_t OwnerOf(Connection& conn, Channel channel, const NamedIdentity& identity) {
  Statement select = conn.Prepare(
      "SELECT contact_id FROM contact_identities "
      "WHERE channel = ? AND kind = ? AND external_id = ?");
  select->bind(1, ChannelName(channel));
  select->bind(2, identity.kind);
  select->bind(3, identity.external_id);
  return select->executeStep() ? select->getColumn(0).getInt64() : 0;
}

int64_t CreateContact(Connection& conn, int64_t now_ms) {
  Statement insert = conn.Prepare("INSERT INTO contacts (created_ms) VALUES (?)");
  insert->bind(1, now_ms);
  insert->exec();
  return conn.db().getLastInsertRowid();
}

void AddIdentity(Connection& conn, int64_t contact_id, Channel channel,
                 const NamedIdentity& identity, int64_t now_ms) {
  Statement insert = conn.Prepare(
      "INSERT INTO contact_identities (contact_id, channel, kind, "
      "external_id, created_ms) VALUES (?, ?, ?, ?, ?)");
  insert->bind(1, contact_id);
  insert->bind(2, ChannelName(channel));
  insert->bind(3, identity.kind);
  insert->bind(4, identity.external_id);
  insert->bind(5, now_ms);
  insert->exec();
}

// Sets name/phone when `ts_ms` is not older than what the contact has.
void UpdateProfile(Connection& conn, int64_t contact_id, const std::string& name,
                   const std::string& phone, int64_t ts_ms) {
  if (!name.empty()) {
    Statement update = conn.Prepare(
        "UPDATE contacts SET name = ?, name_ts_ms = ? "
        "WHERE id = ? AND name_ts_ms <= ?");
    update->bind(1, name);
    update->bind(2, ts_ms);
    update->bind(3, contact_id);
    update->bind(4, ts_ms);
    update->exec();
  }
  if (!phone.empty()) {
    Statement update = conn.Prepare(
        "UPDATE contacts SET phone = ?, phone_ts_ms = ? "
        "WHERE id = ? AND phone_ts_ms <= ?");
    update->bind(1, phone);
    update->bind(2, ts_ms);
    update->bind(3, contact_id);
    update->bind(4, ts_ms);
    update->exec();
  }
}

// Folds contact `from` into the older contact `into`.
void MergeContact(Connection& conn, int64_t from, int64_t into) {
  {
    Statement profile = conn.Prepare(
        "SELECT name, name_ts_ms, phone, phone_ts_ms FROM contacts "
        "WHERE id = ?");
    profile->bind(1, from);
    if (profile->executeStep()) {
      const std::string name = profile->getColumn(0).getString();
      const int64_t name_ts = profile->getColumn(1).getInt64();
      const std::string phone = profile->getColumn(2).getString();
      const int64_t phone_ts = profile->getColumn(3).getInt64();
      UpdateProfile(conn, into, name, "", name_ts);
      UpdateProfile(conn, into, "", phone, phone_ts);
    }
  }
  for (const char* sql : {"UPDATE contact_identities SET contact_id = ? WHERE contact_id = ?",
                          "UPDATE events SET contact_id = ? WHERE contact_id = ?",
                          "UPDATE contacts SET merged_into = ? WHERE merged_into = ?"}) {
    Statement update = conn.Prepare(sql);
    update->bind(1, into);
    update->bind(2, from);
    update->exec();
  }
  MergeConversations(conn, from, into);
  Statement mark = conn.Prepare("UPDATE contacts SET merged_into = ? WHERE id = ?");
  mark->bind(1, into);
  mark->bind(2, from);
  mark->exec();
}

std::vector<ContactIdentity> LoadIdentities(Connection& conn, int64_t contact_id) {
  Statement select = conn.Prepare(
      "SELECT channel, kind, external_id FROM contact_identities "
      "WHERE contact_id = ? ORDER BY id");
  select->bind(1, contact_id);
  std::vector<ContactIdentity> identities;
  while (select->executeStep()) {
    ContactIdentity identity;
    identity.channel = ParseChannel(select->getColumn(0).getString()).value_or(Channel::kWhatsApp);
    identity.kind = select->getColumn(1).getString();
    identity.external_id = select->getColumn(2).getString();
    identities.push_back(std::move(identity));
  }
  return identities;
}

}  // namespace

std::string IdentityKind(Channel channel, const std::string& external_id) {
  switch (channel) {
    case Channel::kWhatsApp:
      return external_id.find('.') != std::string::npos ? "bsuid" : "wa_id";
    case Channel::kMessenger:
      return "psid";
    case Channel::kInstagram:
      return "igsid";
    case Channel::kTwitter:
      return "user_id";
    case Channel::kAppStore:
    case Channel::kGooglePlay:
      return "reviewer_id";
  }
  return "id";
}

int64_t ResolveContact(Connection& conn, const Event& event, int64_t now_ms) {
  const std::vector<NamedIdentity> identities = IdentitiesOf(event);
  if (identities.empty()) return 0;

  std::vector<int64_t> owners;
  std::vector<const NamedIdentity*> unowned;
  for (const NamedIdentity& identity : identities) {
    const int64_t owner = OwnerOf(conn, event.channel, identity);
    if (owner == 0) {
      unowned.push_back(&identity);
    } else if (std::find(owners.begin(), owners.end(), owner) == owners.end()) {
      owners.push_back(owner);
    }
  }
  // Ids grow with creation, so the smallest is the oldest contact: it survives a merge.
  std::sort(owners.begin(), owners.end());
  const int64_t contact_id = owners.empty() ? CreateContact(conn, now_ms) : owners.front();
  for (size_t i = 1; i < owners.size(); ++i) MergeContact(conn, owners[i], contact_id);
  for (const NamedIdentity* identity : unowned) {
    AddIdentity(conn, contact_id, event.channel, *identity, now_ms);
  }
  // An outbound event's author is the account, not this person.
  if (event.direction == Direction::kInbound) {
    const int64_t ts_ms = event.timestamp_ms > 0 ? event.timestamp_ms : now_ms;
    UpdateProfile(conn, contact_id, event.author.name, event.author.phone, ts_ms);
  }
  return contact_id;
}

std::optional<Contact> LoadContact(Connection& conn, int64_t contact_id) {
  Statement select = conn.Prepare(
      "SELECT name, phone, created_ms, merged_into FROM contacts "
      "WHERE id = ?");
  for (int hop = 0; hop < kMaxMergeHops; ++hop) {
    select->reset();
    select->bind(1, contact_id);
    if (!select->executeStep()) return std::nullopt;
    if (!select->getColumn(3).isNull()) {
      contact_id = select->getColumn(3).getInt64();
      continue;
    }
    Contact contact;
    contact.id = contact_id;
    contact.name = select->getColumn(0).getString();
    contact.phone = select->getColumn(1).getString();
    contact.created_ms = select->getColumn(2).getInt64();
    contact.identities = LoadIdentities(conn, contact_id);
    return contact;
  }
  return std::nullopt;
}

std::optional<Contact> LoadContactByIdentity(Connection& conn, Channel channel,
                                             const std::string& external_id) {
  Statement select = conn.Prepare(
      "SELECT contact_id FROM contact_identities "
      "WHERE channel = ? AND external_id = ? ORDER BY id LIMIT 1");
  select->bind(1, ChannelName(channel));
  select->bind(2, external_id);
  if (!select->executeStep()) return std::nullopt;
  return LoadContact(conn, select->getColumn(0).getInt64());
}

}  // namespace atalaya::store
