#include "channels/instagram_changes.h"

#include <utility>

#include "channels/meta_json.h"
#include "channels/meta_social_fields.h"
#include "channels/meta_time.h"
#include "channels/unsupported_event.h"

namespace atalaya::channels {
namespace {

Event PublicEvent(const std::string& account_id, EventKind kind, const Json& value,
                  int64_t entry_time_ms) {
  Event event;
  event.channel = Channel::kInstagram;
  event.account_id = account_id;
  event.kind = kind;
  event.visibility = Visibility::kPublic;
  event.timestamp_ms = MetaTimeMemberAsMs(value, "timestamp");
  if (event.timestamp_ms == 0) event.timestamp_ms = entry_time_ms;
  event.raw_json = CompactJson(value);
  return event;
}

void AppendComment(const Json& value, const std::string& field, const std::string& account_id,
                   int64_t entry_time_ms, std::vector<Event>* events) {
  Event event = PublicEvent(account_id, EventKind::kComment, value, entry_time_ms);
  event.type = field == "comments" ? "comment" : "live_comment";
  event.platform_id = IdMember(value, "id");
  event.dedup_key = event.platform_id;
  event.text = StringMember(value, "text");
  event.parent_id = IdMember(value, "parent_id");
  if (const Json* from = ObjectMember(value, "from")) {
    event.author.id = IdMember(*from, "id");
    event.author.handle = StringMember(*from, "username");
    event.author.alt_id = IdMember(*from, social_fields::kSelfIgScopedId);
  }
  if (!account_id.empty() && event.author.id == account_id) {
    event.direction = Direction::kOutboundAccount;
  }
  if (const Json* media = ObjectMember(value, "media")) {
    event.thread_id = IdMember(*media, "id");
    const std::string ad_id = IdMember(*media, "ad_id");
    if (!ad_id.empty()) {
      OrderedJson ad = {{"ad_id", ad_id}, {"ad_title", StringMember(*media, "ad_title")}};
      event.referral_json = ad.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
    }
  }
  events->push_back(std::move(event));
}

void AppendMention(const Json& value, const std::string& account_id, int64_t entry_time_ms,
                   std::vector<Event>* events) {
  Event event = PublicEvent(account_id, EventKind::kMention, value, entry_time_ms);
  const std::string comment_id = IdMember(value, "comment_id");
  event.thread_id = IdMember(value, "media_id");
  event.type = comment_id.empty() ? "caption_mention" : "mention";
  event.platform_id = comment_id.empty() ? event.thread_id : comment_id;
  event.dedup_key =
      "mention:" + event.thread_id + ":" + (comment_id.empty() ? "caption" : comment_id);
  events->push_back(std::move(event));
}

}  // namespace

bool IsInstagramChangeField(const std::string& field) {
  return field == "comments" || field == "live_comments" || field == "mentions";
}

void AppendInstagramChangeEvents(const Json& change, const std::string& field,
                                 const std::string& account_id, int64_t entry_time_ms,
                                 std::vector<Event>* events) {
  const Json* value = ObjectMember(change, "value");
  if (value == nullptr) {
    return events->push_back(MakeUnsupportedEvent(
        Channel::kInstagram, account_id, field + " change has no \"value\" object", change));
  }
  if (field == "mentions") {
    if (IdMember(*value, "media_id").empty()) {
      return events->push_back(MakeUnsupportedEvent(Channel::kInstagram, account_id,
                                                    "mention has no \"media_id\"", change));
    }
    return AppendMention(*value, account_id, entry_time_ms, events);
  }
  if (IdMember(*value, "id").empty()) {
    return events->push_back(
        MakeUnsupportedEvent(Channel::kInstagram, account_id, "comment has no \"id\"", change));
  }
  AppendComment(*value, field, account_id, entry_time_ms, events);
}

}  // namespace atalaya::channels
