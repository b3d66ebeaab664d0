#include "channels/meta_messaging.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "channels/dedup_key.h"
#include "channels/meta_social_fields.h"
#include "channels/meta_time.h"
#include "channels/unsupported_event.h"

namespace atalaya::channels {
namespace {

namespace fields = social_fields;

const char* PlatformName(Channel channel) {
  return channel == Channel::kInstagram ? "Instagram" : "Messenger";
}

bool IsTrue(const Json& object, const char* key) {
  const Json* member = Member(object, key);
  return member != nullptr && member->is_boolean() && member->get<bool>();
}

std::string TimestampPart(const Event& event) {
  return event.timestamp_ms > 0 ? std::to_string(event.timestamp_ms) : "";
}

// `common` turned into a kUnsupported event; keeps the mid as key when there is one.
Event Unsupported(Event common, std::string reason, const std::string& mid = "") {
  common.kind = EventKind::kUnsupported;
  common.unsupported_reason = std::move(reason);
  common.platform_id = mid;
  common.dedup_key = mid.empty() ? UnsupportedDedupKey(common.raw_json) : mid;
  return common;
}

// Reads attachments[] into the event; a location becomes event->location. Elements that are
// not objects or have no type are skipped: the event's raw_json still holds them.
void ReadAttachments(const Json& message, Event* event) {
  const Json* attachments = ArrayMember(message, "attachments");
  if (attachments == nullptr) return;
  for (const Json& item : *attachments) {
    const std::string type = StringMember(item, "type");
    if (type.empty()) continue;
    const Json* payload = ObjectMember(item, "payload");
    if (type == "location") {
      const Json* coordinates = payload ? ObjectMember(*payload, "coordinates") : nullptr;
      std::optional<double> lat = coordinates ? NumberMember(*coordinates, "lat") : std::nullopt;
      std::optional<double> lon = coordinates ? NumberMember(*coordinates, "long") : std::nullopt;
      if (lat && lon) {
        event->location = Location{*lat, *lon, StringMember(item, "title"), ""};
        continue;
      }
    }
    Attachment attachment;
    attachment.kind = type;
    if (payload != nullptr) attachment.url = StringMember(*payload, "url");
    // Fallback (shared links) attachments put the link beside the payload.
    if (attachment.url.empty()) attachment.url = StringMember(item, "url");
    attachment.caption = StringMember(item, "title");
    event->attachments.push_back(std::move(attachment));
  }
}

void AppendMessage(const Json& message, Event event, const std::string& recipient,
                   const MetaParseOptions& options, std::vector<Event>* out) {
  const std::string mid = StringMember(message, "mid");
  if (!message.is_object()) {
    return out->push_back(Unsupported(event, "\"message\" is not an object"));
  }
  if (mid.empty()) return out->push_back(Unsupported(event, "message has no \"mid\""));
  event.platform_id = mid;
  event.dedup_key = mid;

  if (IsTrue(message, "is_echo")) {
    const std::string app_id = IdMember(message, "app_id");
    const auto& ours = options.own_app_ids;
    if (!app_id.empty() && std::find(ours.begin(), ours.end(), app_id) != ours.end()) return;
    // Written for the account somewhere else: history by a human, in the customer's thread.
    event.direction = Direction::kOutboundHuman;
    event.recipient_id = recipient;
  }
  if (IsTrue(message, fields::kIsUnsupported)) {
    return out->push_back(Unsupported(
        event, std::string(PlatformName(event.channel)) + " cannot show this message", mid));
  }
  if (IsTrue(message, fields::kIsDeleted)) {
    event.kind = EventKind::kMessage;
    event.type = "deleted";
    event.action = "remove";
    event.dedup_key = mid + ":remove";
    return out->push_back(std::move(event));
  }

  event.text = StringMember(message, "text");
  ReadAttachments(message, &event);
  if (const Json* reply_to = ObjectMember(message, "reply_to")) {
    event.reply_to_id = StringMember(*reply_to, "mid");
    if (const Json* story = ObjectMember(*reply_to, "story")) {
      Attachment attachment;
      attachment.kind = "story";
      attachment.media_id = IdMember(*story, "id");
      attachment.url = StringMember(*story, "url");
      event.reply_to_id = attachment.media_id;
      event.attachments.push_back(std::move(attachment));
      event.type = "story_reply";
    }
  }
  if (const Json* referral = ObjectMember(message, "referral")) {
    event.referral_json = CompactJson(*referral);
  }
  const Json* quick_reply = ObjectMember(message, "quick_reply");
  if (quick_reply != nullptr) {
    event.kind = EventKind::kPostback;
    event.type = "quick_reply";
    event.payload = StringMember(*quick_reply, "payload");
    return out->push_back(std::move(event));
  }
  if (event.text.empty() && event.attachments.empty() && !event.location) {
    return out->push_back(Unsupported(event, "message has no text and no attachments", mid));
  }
  event.kind = EventKind::kMessage;
  if (event.type.empty()) {
    event.type = event.location               ? "location"
                 : !event.attachments.empty() ? event.attachments.front().kind
                                              : "text";
  }
  out->push_back(std::move(event));
}

void AppendMessageEdit(const Json& edit, Event event, std::vector<Event>* out) {
  const std::string mid = StringMember(edit, "mid");
  if (mid.empty()) return out->push_back(Unsupported(event, "message_edit has no \"mid\""));
  event.kind = EventKind::kMessage;
  event.type = "message_edit";
  event.action = "edit";
  event.platform_id = mid;
  event.text = StringMember(edit, "text");
  std::optional<int64_t> count = IntegerMember(edit, fields::kMessageEditCount);
  // Without a count, the text tells two edits apart.
  event.dedup_key = mid + ":edit:" + (count ? std::to_string(*count) : ShortTextHash(event.text));
  out->push_back(std::move(event));
}

void AppendPostback(const Json& postback, Event event, const std::string& sender,
                    std::vector<Event>* out) {
  event.kind = EventKind::kPostback;
  event.type = "postback";
  event.text = StringMember(postback, "title");
  event.payload = StringMember(postback, "payload");  // absent in standby
  if (const Json* referral = ObjectMember(postback, "referral")) {
    event.referral_json = CompactJson(*referral);
  }
  event.platform_id = StringMember(postback, "mid");
  event.dedup_key =
      !event.platform_id.empty()
          ? event.platform_id
          : CompositeDedupKey("postback", {sender, TimestampPart(event)}, event.raw_json);
  out->push_back(std::move(event));
}

void AppendReferral(const Json& referral, Event event, const std::string& sender,
                    std::vector<Event>* out) {
  event.kind = EventKind::kPostback;
  event.type = "referral";
  event.payload = IdMember(referral, "ref");
  event.referral_json = CompactJson(referral);
  event.dedup_key = CompositeDedupKey("referral", {sender, TimestampPart(event)}, event.raw_json);
  out->push_back(std::move(event));
}

void AppendReaction(const Json& reaction, Event event, const std::string& sender,
                    std::vector<Event>* out) {
  const std::string mid = StringMember(reaction, "mid");
  if (mid.empty()) return out->push_back(Unsupported(event, "reaction has no \"mid\""));
  const std::string action = StringMember(reaction, "action");
  event.kind = EventKind::kReaction;
  event.type = "reaction";
  event.reaction_to_id = mid;
  if (action != "unreact") {
    event.reaction_emoji = StringMember(reaction, "emoji");
    // Instagram may name the reaction ("love") without an emoji.
    if (event.reaction_emoji.empty()) event.reaction_emoji = StringMember(reaction, "reaction");
  }
  event.dedup_key =
      CompositeDedupKey("reaction", {mid, sender, action, TimestampPart(event)}, event.raw_json);
  out->push_back(std::move(event));
}

Event StatusEvent(const Event& common, const char* type, DeliveryStatus status,
                  const std::string& customer) {
  Event event = common;
  event.kind = EventKind::kStatus;
  event.type = type;
  event.author = Author{};
  event.status = StatusUpdate{};
  event.status->status = status;
  event.status->recipient_id = customer;
  return event;
}

void AppendDelivery(const Json& delivery, const Event& common, const std::string& customer,
                    std::vector<Event>* out) {
  const int64_t watermark = MetaTimeMemberAsMs(delivery, "watermark");
  bool any = false;
  if (const Json* mids = ArrayMember(delivery, "mids")) {
    for (const Json& mid : *mids) {
      if (!mid.is_string() || mid.get_ref<const std::string&>().empty()) continue;
      Event event = StatusEvent(common, "delivery", DeliveryStatus::kDelivered, customer);
      event.platform_id = mid.get<std::string>();
      event.dedup_key = event.platform_id + ":delivered";
      event.status->message_id = event.platform_id;
      event.status->watermark_ms = watermark;
      out->push_back(std::move(event));
      any = true;
    }
  }
  if (any) return;
  if (watermark == 0) {
    return out->push_back(Unsupported(common, "delivery has no \"mids\" and no \"watermark\""));
  }
  Event event = StatusEvent(common, "delivery", DeliveryStatus::kDelivered, customer);
  event.status->watermark_ms = watermark;
  event.dedup_key =
      CompositeDedupKey("delivered", {customer, std::to_string(watermark)}, common.raw_json);
  out->push_back(std::move(event));
}

void AppendRead(const Json& read, const Event& common, const std::string& customer,
                std::vector<Event>* out) {
  const std::string mid = StringMember(read, fields::kReadMid);
  const int64_t watermark = MetaTimeMemberAsMs(read, "watermark");
  if (mid.empty() && watermark == 0) {
    return out->push_back(Unsupported(common, "read has no \"mid\" and no \"watermark\""));
  }
  Event event = StatusEvent(common, "read", DeliveryStatus::kRead, customer);
  event.status->message_id = mid;
  event.status->watermark_ms = watermark;
  event.platform_id = mid;
  event.dedup_key = !mid.empty() ? mid + ":read"
                                 : CompositeDedupKey("read", {customer, std::to_string(watermark)},
                                                     common.raw_json);
  out->push_back(std::move(event));
}

// The handover objects and the member naming the app that owns (or asks for) the thread.
struct HandoverKind {
  const char* name;
  const char* owner_member;
};
constexpr HandoverKind kHandovers[] = {
    {"pass_thread_control", "new_owner_app_id"},
    {"take_thread_control", "new_owner_app_id"},
    {"request_thread_control", "requested_owner_app_id"},
    {"app_roles", nullptr},
};

void AppendHandover(const HandoverKind& kind, const Json& object, Event event,
                    const std::string& sender, std::vector<Event>* out) {
  event.kind = EventKind::kHandover;
  event.type = kind.name;
  if (kind.owner_member != nullptr) {
    event.payload = IdMember(object, kind.owner_member);
    event.text = StringMember(object, "metadata");
  } else {
    event.payload = CompactJson(object);  // {"<app id>": ["primary_receiver"], ...}
  }
  event.dedup_key =
      CompositeDedupKey("handover", {kind.name, sender, TimestampPart(event)}, event.raw_json);
  out->push_back(std::move(event));
}

}  // namespace

void AppendMessagingEvents(const Json& item, const MessagingScope& scope,
                           const MetaParseOptions& options, std::vector<Event>* events) {
  Event common;
  common.channel = scope.channel;
  common.account_id = scope.account_id;
  common.visibility = Visibility::kPrivate;
  common.standby = scope.standby;
  common.raw_json = CompactJson(item);
  if (!item.is_object()) {
    return events->push_back(Unsupported(common, "messaging event is not an object"));
  }
  std::string sender;
  std::string recipient;
  if (const Json* who = ObjectMember(item, "sender")) sender = IdMember(*who, "id");
  if (const Json* who = ObjectMember(item, "recipient")) recipient = IdMember(*who, "id");
  if (common.account_id.empty()) common.account_id = recipient;
  common.author.id = sender;
  common.timestamp_ms = MetaTimeMemberAsMs(item, "timestamp");

  if (const Json* message = Member(item, "message")) {
    // The first message after an ad or a link may carry its referral beside the message.
    if (const Json* referral = ObjectMember(item, "referral")) {
      common.referral_json = CompactJson(*referral);
    }
    return AppendMessage(*message, common, recipient, options, events);
  }
  // Receipts and handovers are about the customer: the sender of these events.
  if (const Json* edit = ObjectMember(item, fields::kMessageEdit)) {
    return AppendMessageEdit(*edit, common, events);
  }
  if (const Json* postback = ObjectMember(item, "postback")) {
    return AppendPostback(*postback, common, sender, events);
  }
  if (const Json* reaction = ObjectMember(item, "reaction")) {
    return AppendReaction(*reaction, common, sender, events);
  }
  if (const Json* delivery = ObjectMember(item, "delivery")) {
    return AppendDelivery(*delivery, common, sender, events);
  }
  if (const Json* read = ObjectMember(item, "read")) {
    return AppendRead(*read, common, sender, events);
  }
  if (const Json* referral = ObjectMember(item, "referral")) {
    return AppendReferral(*referral, common, sender, events);
  }
  for (const HandoverKind& kind : kHandovers) {
    if (const Json* object = ObjectMember(item, kind.name)) {
      return AppendHandover(kind, *object, common, sender, events);
    }
  }
  // Something else (optin, account_linking, policy_enforcement, ...): name it.
  for (const auto& [key, value] : item.items()) {
    if (key == "sender" || key == "recipient" || key == "timestamp") continue;
    return events->push_back(Unsupported(common, std::string(PlatformName(scope.channel)) +
                                                     " event \"" + key + "\" is not supported"));
  }
  events->push_back(Unsupported(common, "messaging event carries no event object"));
}

}  // namespace atalaya::channels
