#include "channels/meta_social_webhook.h"

#include <string>
#include <utility>

#include "channels/instagram_changes.h"
#include "channels/meta_messaging.h"
#include "channels/meta_time.h"
#include "channels/page_feed.h"
#include "channels/unsupported_event.h"

namespace atalaya::channels {
namespace {

// Messaging webhook fields, as they are named when delivered inside changes[].
constexpr const char* kMessagingFields[] = {
    "messages",           "message_echoes",      "message_edits",      "message_reactions",
    "message_reads",      "message_deliveries",  "messaging_seen",     "messaging_postbacks",
    "messaging_referral", "messaging_referrals", "messaging_handover", "messaging_handovers",
};

bool IsMessagingField(const std::string& field) {
  for (const char* name : kMessagingFields) {
    if (field == name) return true;
  }
  return false;
}

void AppendChangeEvents(const Json& change, Channel channel, const std::string& account_id,
                        int64_t entry_time_ms, const MetaParseOptions& options,
                        std::vector<Event>* events) {
  auto unsupported = [&](std::string reason) {
    events->push_back(MakeUnsupportedEvent(channel, account_id, std::move(reason), change));
  };
  if (!change.is_object()) return unsupported("change is not an object");
  const std::string field = StringMember(change, "field");
  if (field.empty()) return unsupported("change has no \"field\"");
  if (channel == Channel::kMessenger && field == "feed") {
    return AppendPageFeedEvents(change, account_id, entry_time_ms, events);
  }
  if (channel == Channel::kInstagram && IsInstagramChangeField(field)) {
    return AppendInstagramChangeEvents(change, field, account_id, entry_time_ms, events);
  }
  if (IsMessagingField(field)) {
    const Json* value = ObjectMember(change, "value");
    if (value == nullptr) return unsupported(field + " change has no \"value\" object");
    return AppendMessagingEvents(*value, MessagingScope{channel, account_id, false}, options,
                                 events);
  }
  unsupported(std::string(channel == Channel::kInstagram ? "Instagram" : "Page") +
              " change field \"" + field + "\" is not supported");
}

void AppendSocialEntryEvents(const Json& entry, Channel channel, const MetaParseOptions& options,
                             std::vector<Event>* events) {
  const std::string account_id = IdMember(entry, "id");
  auto unsupported = [&](std::string reason) {
    events->push_back(MakeUnsupportedEvent(channel, account_id, std::move(reason), entry));
  };
  if (!entry.is_object()) return unsupported("entry is not an object");
  const Json* messaging = Member(entry, "messaging");
  const Json* standby = Member(entry, "standby");
  const Json* changes = Member(entry, "changes");
  if (messaging == nullptr && standby == nullptr && changes == nullptr) {
    return unsupported("entry has no \"messaging\", \"standby\" or \"changes\" array");
  }
  std::string not_arrays;
  for (const auto& [name, list] : {std::pair{"messaging", messaging}, std::pair{"standby", standby},
                                   std::pair{"changes", changes}}) {
    if (list == nullptr || list->is_array()) continue;
    not_arrays += std::string(not_arrays.empty() ? "" : ", ") + "\"" + name + "\"";
  }
  if (!not_arrays.empty()) unsupported("not an array in entry: " + not_arrays);

  const int64_t entry_time_ms = MetaTimeMemberAsMs(entry, "time");
  if (messaging != nullptr && messaging->is_array()) {
    for (const Json& item : *messaging) {
      AppendMessagingEvents(item, MessagingScope{channel, account_id, false}, options, events);
    }
  }
  if (standby != nullptr && standby->is_array()) {
    for (const Json& item : *standby) {
      AppendMessagingEvents(item, MessagingScope{channel, account_id, true}, options, events);
    }
  }
  if (changes != nullptr && changes->is_array()) {
    for (const Json& change : *changes) {
      AppendChangeEvents(change, channel, account_id, entry_time_ms, options, events);
    }
  }
}

}  // namespace

void AppendMessengerEntryEvents(const Json& entry, const MetaParseOptions& options,
                                std::vector<Event>* events) {
  AppendSocialEntryEvents(entry, Channel::kMessenger, options, events);
}

void AppendInstagramEntryEvents(const Json& entry, const MetaParseOptions& options,
                                std::vector<Event>* events) {
  AppendSocialEntryEvents(entry, Channel::kInstagram, options, events);
}

}  // namespace atalaya::channels
