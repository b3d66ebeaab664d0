#include "channels/whatsapp_webhook.h"

#include <optional>
#include <string>
#include <utility>

#include "channels/unsupported_event.h"
#include "channels/whatsapp_fields.h"

namespace atalaya::channels {
namespace {

namespace fields = whatsapp_fields;

// What the messages of one change share.
struct ChangeScope {
  std::string account_id;          // metadata.phone_number_id
  const Json* contacts = nullptr;  // value.contacts when it is an array
};

std::string DigitsOnly(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  return digits;
}

// The contacts[] element describing the sender of a message.
const Json* FindContact(const ChangeScope& scope, const std::string& wa_id,
                        const std::string& bsuid) {
  if (scope.contacts == nullptr) return nullptr;
  for (const Json& contact : *scope.contacts) {
    if (!wa_id.empty() && IdMember(contact, "wa_id") == wa_id) return &contact;
    if (!bsuid.empty() && StringMember(contact, fields::kContactBsuid) == bsuid) return &contact;
  }
  // A message that names nobody (no from, no BSUID) belongs to the only contact, if any.
  if (wa_id.empty() && bsuid.empty() && scope.contacts->size() == 1 &&
      scope.contacts->front().is_object()) {
    return &scope.contacts->front();
  }
  return nullptr;
}

Author BuildAuthor(std::string wa_id, std::string bsuid, const Json* contact) {
  Author author;
  if (contact != nullptr) {
    if (wa_id.empty()) wa_id = IdMember(*contact, "wa_id");
    if (bsuid.empty()) bsuid = StringMember(*contact, fields::kContactBsuid);
    if (const Json* profile = ObjectMember(*contact, "profile")) {
      author.name = StringMember(*profile, "name");
      author.handle = StringMember(*profile, fields::kContactUsername);
    }
  }
  author.id = bsuid.empty() ? wa_id : bsuid;
  if (!bsuid.empty()) author.alt_id = wa_id;
  author.phone = DigitsOnly(wa_id);
  return author;
}

// The title of the first error of an errors[] array held by `holder`, if any.
std::string FirstErrorTitle(const Json& holder) {
  const Json* errors = ArrayMember(holder, "errors");
  if (errors == nullptr || errors->empty()) return "";
  return StringMember(errors->front(), "title");
}

// Each filler reads the type-specific object of a message into `event`, or returns why it
// cannot (then the message becomes kUnsupported).
using Filler = std::optional<std::string> (*)(const Json& message, const std::string& type,
                                              Event* event);

std::optional<std::string> MissingObject(const std::string& type) {
  return type + " message has no \"" + type + "\" object";
}

std::optional<std::string> FillText(const Json& message, const std::string& type, Event* event) {
  const Json* text = ObjectMember(message, "text");
  if (text == nullptr) return MissingObject(type);
  event->kind = EventKind::kMessage;
  event->text = StringMember(*text, "body");
  return std::nullopt;
}

std::optional<std::string> FillInteractive(const Json& message, const std::string& type,
                                           Event* event) {
  const Json* interactive = ObjectMember(message, "interactive");
  if (interactive == nullptr) return MissingObject(type);
  const std::string reply_type = StringMember(*interactive, "type");
  if (reply_type != "button_reply" && reply_type != "list_reply") {
    return "WhatsApp interactive type \"" + reply_type + "\" is not supported";
  }
  const Json* reply = ObjectMember(*interactive, reply_type.c_str());
  if (reply == nullptr) return "interactive message has no \"" + reply_type + "\" object";
  event->kind = EventKind::kPostback;
  event->payload = IdMember(*reply, "id");
  event->text = StringMember(*reply, "title");
  return std::nullopt;
}

std::optional<std::string> FillButton(const Json& message, const std::string& type, Event* event) {
  const Json* button = ObjectMember(message, "button");
  if (button == nullptr) return MissingObject(type);
  event->kind = EventKind::kPostback;
  event->payload = StringMember(*button, "payload");
  event->text = StringMember(*button, "text");
  return std::nullopt;
}

std::optional<std::string> FillMedia(const Json& message, const std::string& type, Event* event) {
  const Json* media = ObjectMember(message, type.c_str());
  if (media == nullptr) return MissingObject(type);
  Attachment attachment;
  attachment.kind = type;
  attachment.media_id = IdMember(*media, "id");
  attachment.url = StringMember(*media, "url");
  attachment.mime_type = StringMember(*media, "mime_type");
  attachment.sha256 = StringMember(*media, "sha256");
  attachment.caption = StringMember(*media, "caption");
  attachment.filename = StringMember(*media, "filename");
  event->kind = EventKind::kMessage;
  event->text = attachment.caption;
  event->attachments.push_back(std::move(attachment));
  return std::nullopt;
}

std::optional<std::string> FillLocation(const Json& message, const std::string& type,
                                        Event* event) {
  const Json* location = ObjectMember(message, "location");
  if (location == nullptr) return MissingObject(type);
  std::optional<double> latitude = NumberMember(*location, "latitude");
  std::optional<double> longitude = NumberMember(*location, "longitude");
  if (!latitude || !longitude) return std::string("location message has no coordinates");
  event->kind = EventKind::kMessage;
  event->location = Location{*latitude, *longitude, StringMember(*location, "name"),
                             StringMember(*location, "address")};
  return std::nullopt;
}

std::optional<std::string> FillContacts(const Json& message, const std::string& type,
                                        Event* event) {
  const Json* contacts = ArrayMember(message, "contacts");
  if (contacts == nullptr) return "contacts message has no \"contacts\" array";
  (void)type;
  event->kind = EventKind::kMessage;
  event->contacts_json = CompactJson(*contacts);
  return std::nullopt;
}

std::optional<std::string> FillReaction(const Json& message, const std::string& type,
                                        Event* event) {
  const Json* reaction = ObjectMember(message, "reaction");
  if (reaction == nullptr) return MissingObject(type);
  event->kind = EventKind::kReaction;
  event->reaction_to_id = StringMember(*reaction, "message_id");
  event->reaction_emoji = StringMember(*reaction, "emoji");  // absent or "" = removed
  return std::nullopt;
}

std::optional<std::string> FillSystem(const Json& message, const std::string& type, Event* event) {
  const Json* system = ObjectMember(message, "system");
  if (system == nullptr) return MissingObject(type);
  std::string new_bsuid = StringMember(*system, fields::kSystemNewBsuid);
  std::string new_wa_id = IdMember(*system, fields::kSystemNewWaId);
  if (new_wa_id.empty()) new_wa_id = IdMember(*system, fields::kSystemLegacyNewWaId);
  event->kind = EventKind::kIdentity;
  // Same rule as for authors: the BSUID when there is one, the phone id otherwise.
  event->new_author_id = new_bsuid.empty() ? new_wa_id : new_bsuid;
  if (!new_bsuid.empty()) event->new_author_alt_id = new_wa_id;
  event->payload = StringMember(*system, "type");  // user_changed_number, ...
  event->text = StringMember(*system, "body");
  // The author is who the customer was: the previous BSUID when the platform names it.
  std::string previous_bsuid = StringMember(*system, fields::kSystemPreviousBsuid);
  if (!previous_bsuid.empty()) {
    std::string wa_id = IdMember(message, "from");
    event->author.id = previous_bsuid;
    event->author.alt_id = wa_id;
  }
  return std::nullopt;
}

struct TypeFiller {
  const char* type;
  Filler fill;
};

// Types missing here ("order", "unsupported", anything new) become kUnsupported.
constexpr TypeFiller kFillers[] = {
    {"text", FillText},         {"interactive", FillInteractive},
    {"button", FillButton},     {"image", FillMedia},
    {"audio", FillMedia},       {"video", FillMedia},
    {"document", FillMedia},    {"sticker", FillMedia},
    {"location", FillLocation}, {"contacts", FillContacts},
    {"reaction", FillReaction}, {"system", FillSystem},
};

Filler FindFiller(const std::string& type) {
  for (const TypeFiller& filler : kFillers) {
    if (type == filler.type) return filler.fill;
  }
  return nullptr;
}

Event ParseMessage(const Json& message, const ChangeScope& scope) {
  if (!message.is_object()) {
    return MakeUnsupportedEvent(Channel::kWhatsApp, scope.account_id, "message is not an object",
                                message);
  }
  const std::string id = StringMember(message, "id");
  if (id.empty()) {
    return MakeUnsupportedEvent(Channel::kWhatsApp, scope.account_id, "message has no \"id\"",
                                message);
  }

  // What every message carries, whatever its type.
  Event common;
  common.channel = Channel::kWhatsApp;
  common.account_id = scope.account_id;
  common.visibility = Visibility::kPrivate;
  common.type = StringMember(message, "type");
  common.platform_id = id;
  common.dedup_key = id;
  const std::string wa_id = IdMember(message, "from");
  const std::string bsuid = StringMember(message, fields::kMessageBsuid);
  common.author = BuildAuthor(wa_id, bsuid, FindContact(scope, wa_id, bsuid));
  common.timestamp_ms = SecondsMemberAsMs(message, "timestamp");
  if (const Json* context = ObjectMember(message, "context")) {
    common.reply_to_id = StringMember(*context, "id");
  }
  if (const Json* referral = ObjectMember(message, "referral")) {
    common.referral_json = CompactJson(*referral);
  }
  common.raw_json = CompactJson(message);

  std::optional<std::string> failure;
  if (Filler fill = FindFiller(common.type)) {
    Event event = common;
    failure = fill(message, common.type, &event);
    if (!failure) return event;
  } else {
    // The platform explains its own "unsupported" messages in errors[]; use its words.
    failure = FirstErrorTitle(message);
    if (failure->empty()) {
      failure = common.type.empty()
                    ? std::string("message has no \"type\"")
                    : "WhatsApp message type \"" + common.type + "\" is not supported";
    }
  }
  common.kind = EventKind::kUnsupported;
  common.unsupported_reason = std::move(*failure);
  return common;
}

Event ParseStatus(const Json& status, const ChangeScope& scope) {
  const std::string id = StringMember(status, "id");
  const std::string name = StringMember(status, "status");
  std::optional<DeliveryStatus> delivery = ParseDeliveryStatus(name);
  if (!status.is_object() || id.empty() || !delivery || *delivery == DeliveryStatus::kNone) {
    std::string reason = !status.is_object() ? "status is not an object"
                         : id.empty()        ? "status has no \"id\""
                                             : "unknown WhatsApp status \"" + name + "\"";
    Event event = MakeUnsupportedEvent(Channel::kWhatsApp, scope.account_id, reason, status);
    event.type = "status";
    event.platform_id = id;
    event.timestamp_ms = SecondsMemberAsMs(status, "timestamp");
    return event;
  }

  Event event;
  event.channel = Channel::kWhatsApp;
  event.account_id = scope.account_id;
  event.kind = EventKind::kStatus;
  event.type = "status";
  event.visibility = Visibility::kPrivate;
  event.platform_id = id;
  event.dedup_key = id + ":" + name;
  event.timestamp_ms = SecondsMemberAsMs(status, "timestamp");
  event.raw_json = CompactJson(status);

  StatusUpdate update;
  update.message_id = id;
  update.status = *delivery;
  update.recipient_id = IdMember(status, "recipient_id");
  if (update.recipient_id.empty()) {
    update.recipient_id = StringMember(status, fields::kStatusRecipientBsuid);
  }
  const Json* errors = ArrayMember(status, "errors");
  if (errors != nullptr && !errors->empty()) {
    const Json& error = errors->front();
    update.error_code = IntegerMember(error, "code").value_or(0);
    update.error_title = StringMember(error, "title");
    if (const Json* data = ObjectMember(error, "error_data")) {
      update.error_detail = StringMember(*data, "details");
    }
    if (update.error_title.empty()) update.error_title = StringMember(error, "message");
    if (update.error_detail.empty()) update.error_detail = StringMember(error, "message");
  }
  event.status = std::move(update);
  return event;
}

// An error Meta reports for the whole change (value.errors[]), kept for inspection.
Event ParseChangeError(const Json& error, const ChangeScope& scope) {
  std::string reason = "WhatsApp error";
  if (std::optional<int64_t> code = IntegerMember(error, "code")) {
    reason += " " + std::to_string(*code);
  }
  std::string title = StringMember(error, "title");
  if (title.empty()) title = StringMember(error, "message");
  if (!title.empty()) reason += ": " + title;
  return MakeUnsupportedEvent(Channel::kWhatsApp, scope.account_id, std::move(reason), error);
}

}  // namespace

void AppendWhatsAppChangeEvents(const Json& change, std::vector<Event>* events) {
  const Json* value = ObjectMember(change, "value");
  ChangeScope scope;
  if (value != nullptr) {
    if (const Json* metadata = ObjectMember(*value, "metadata")) {
      scope.account_id = IdMember(*metadata, "phone_number_id");
    }
    scope.contacts = ArrayMember(*value, "contacts");
  }
  auto unsupported = [&](std::string reason, const Json& part) {
    events->push_back(
        MakeUnsupportedEvent(Channel::kWhatsApp, scope.account_id, std::move(reason), part));
  };

  if (!change.is_object()) return unsupported("change is not an object", change);
  const Json* field = Member(change, "field");
  if (field == nullptr || !field->is_string()) {
    return unsupported("change has no \"field\"", change);
  }
  if (*field != "messages") {
    return unsupported(
        "WhatsApp change field \"" + field->get<std::string>() + "\" is not supported", change);
  }
  if (value == nullptr) return unsupported("messages change has no \"value\" object", change);

  const Json* messages = Member(*value, "messages");
  const Json* statuses = Member(*value, "statuses");
  const Json* errors = Member(*value, "errors");
  if (messages == nullptr && statuses == nullptr && errors == nullptr) {
    return unsupported("messages change carries no messages, statuses or errors", change);
  }
  std::string not_arrays;
  for (const auto& [name, list] : {std::pair{"messages", messages}, std::pair{"statuses", statuses},
                                   std::pair{"errors", errors}}) {
    if (list == nullptr || list->is_array()) continue;
    not_arrays += std::string(not_arrays.empty() ? "" : ", ") + "\"" + name + "\"";
  }
  if (!not_arrays.empty()) unsupported("not an array in messages change: " + not_arrays, change);
  if (messages != nullptr && messages->is_array()) {
    for (const Json& message : *messages) events->push_back(ParseMessage(message, scope));
  }
  if (statuses != nullptr && statuses->is_array()) {
    for (const Json& status : *statuses) events->push_back(ParseStatus(status, scope));
  }
  if (errors != nullptr && errors->is_array()) {
    for (const Json& error : *errors) events->push_back(ParseChangeError(error, scope));
  }
}

void AppendWhatsAppEntryEvents(const Json& entry, std::vector<Event>* events) {
  const Json* changes = ArrayMember(entry, "changes");
  if (changes == nullptr) {
    events->push_back(MakeUnsupportedEvent(
        Channel::kWhatsApp, "",
        entry.is_object() ? "entry has no \"changes\" array" : "entry is not an object", entry));
    return;
  }
  for (const Json& change : *changes) AppendWhatsAppChangeEvents(change, events);
}

}  // namespace atalaya::channels
