#pragma once
// Event: one normalized thing that happened on a platform (a message, a comment, a status
// update, ...), as every module after the channel adapters sees it.
//
// Channel adapters build Events from raw webhook bodies (parsing is total: an unknown shape
// becomes an kUnsupported event with a reason, never an error). The store keeps each field
// in its own column; the rules read them. Events are plain values: build, copy, move.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atalaya {

enum class Channel { kWhatsApp, kMessenger, kInstagram, kTwitter, kAppStore, kGooglePlay };

enum class EventKind {
  kMessage,      // a private message from a customer (text, media, interactive reply, ...)
  kPostback,     // a button / menu tap that carries a payload but no typed text
  kReaction,     // an emoji reaction to an earlier message
  kComment,      // a public comment under a post
  kMention,      // the account was mentioned publicly
  kReview,       // an app-store review
  kStatus,       // delivery state of one of our outbound messages (sent/delivered/read/failed)
  kIdentity,     // the customer's identity changed (e.g. WhatsApp number change)
  kUnsupported,  // well signed, but a shape we cannot understand; kept with a reason
  kHandover,     // control of a private thread moved between apps (Messenger handover
                 // protocol): type names the move, payload the app that owns it now
};

enum class Visibility { kPrivate, kPublic };

// Who wrote an event. Platforms also report what the account itself published (Messenger
// and Instagram echoes, the Page's own comments): such events are history, never customer
// messages, so rules and bots must only answer kInbound ones.
enum class Direction {
  kInbound,          // written by a customer
  kOutboundHuman,    // written for the account by a person in another app (Page Inbox, phone)
  kOutboundAccount,  // published by the account itself (the Page's own comment or post)
};

// Delivery state of an outbound message. Ordered: a status only moves forward, except that
// kFailed is terminal and keeps its error code.
enum class DeliveryStatus { kNone = 0, kSent = 1, kDelivered = 2, kRead = 3, kFailed = 4 };

const char* ChannelName(Channel channel);  // "whatsapp", "messenger", ...
std::optional<Channel> ParseChannel(std::string_view name);
const char* EventKindName(EventKind kind);  // "message", "comment", ...
std::optional<EventKind> ParseEventKind(std::string_view name);
const char* VisibilityName(Visibility visibility);  // "private" | "public"
const char* DirectionName(Direction direction);     // "inbound" | "outbound_human" | ...
std::optional<Direction> ParseDirection(std::string_view name);
const char* DeliveryStatusName(DeliveryStatus status);
std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view name);

// Who wrote the event. Which fields are filled depends on the platform: influence data
// (followers, verified, bio) exists on X and (after a DM) Instagram; WhatsApp gives a profile
// name, a wa_id (phone) and/or a business-scoped user id.
struct Author {
  std::string id;          // the platform's stable id for this person (BSUID, PSID, IGSID, ...)
  std::string alt_id;      // a second id the platform also sent (WhatsApp wa_id next to a BSUID)
  std::string name;        // display name
  std::string handle;      // @username where the platform has one
  std::string phone;       // E.164 digits without '+', when known; personal data
  int64_t followers = -1;  // -1 = unknown
  int64_t following = -1;
  int64_t listed = -1;
  int64_t posts = -1;
  std::string verified_type;  // "", "blue", "business", "government", "legacy", "ig_verified"
  std::string bio;
  int64_t account_created_ms = 0;  // 0 = unknown
};

struct Attachment {
  std::string kind;      // image | audio | video | document | sticker | file | fallback
  std::string media_id;  // platform media id to fetch later (WhatsApp)
  std::string url;       // direct URL (Messenger/Instagram; they expire)
  std::string mime_type;
  std::string sha256;
  std::string caption;
  std::string filename;
};

struct Location {
  double latitude = 0;
  double longitude = 0;
  std::string name;
  std::string address;
};

// Set on kStatus events: the state of one of our outbound messages.
//
// Messenger also reports receipts by watermark instead of by id: "every message sent to this
// person at or before watermark_ms is now delivered / read". Such an update has an empty
// message_id; the store applies it to every outbound message of (account_id, recipient_id)
// sent at or before watermark_ms.
struct StatusUpdate {
  std::string message_id;  // the platform id of our outbound message; "" for a watermark
  DeliveryStatus status = DeliveryStatus::kNone;
  std::string recipient_id;
  int64_t watermark_ms = 0;  // Messenger receipts: applies up to this time; 0 = none
  int64_t error_code = 0;    // platform error code when failed
  std::string error_title;
  std::string error_detail;
};

struct Event {
  Channel channel = Channel::kWhatsApp;
  std::string account_id;  // our side: WhatsApp phone_number_id, Page id, IG account id
  EventKind kind = EventKind::kUnsupported;
  std::string type;  // the platform's own type name ("text", "interactive", ...)
  Visibility visibility = Visibility::kPrivate;
  Direction direction = Direction::kInbound;
  // What happened to the item platform_id names: "" for a new item; "edit", "remove",
  // "hide" or "unhide" for a later change to it (an edited comment, an unsent message).
  std::string action;
  // Private events that arrived while another app owned the thread (Messenger "standby"):
  // kept as history; the bot must not answer them.
  bool standby = false;

  // Dedup: (channel, dedup_key) is unique across all events. For most events it is the
  // platform's id; for statuses it is "<message id>:<status>".
  std::string platform_id;
  std::string dedup_key;

  Author author;             // who wrote it (the Page itself for its echoes and comments)
  std::string recipient_id;  // outbound private events: the customer it was written to
  int64_t timestamp_ms = 0;  // when it happened, per the platform

  std::string text;         // typed text, caption or title; byte-exact
  std::string payload;      // machine payload of a button/list/quick reply/postback
  std::string reply_to_id;  // platform id of the message this one replies to (context)
  std::string thread_id;    // public thread: the post id a comment belongs to
  std::string thread_url;   // public thread: the post's permalink, when the platform sent it
  std::string parent_id;    // the comment a reply-comment answers
  std::vector<Attachment> attachments;
  std::optional<Location> location;
  std::string reaction_to_id;     // kReaction: the message reacted to
  std::string reaction_emoji;     // kReaction: empty = reaction removed
  std::string referral_json;      // ad/referral source as compact JSON, when present
  std::string contacts_json;      // shared contact cards as compact JSON, when present
  std::string new_author_id;      // kIdentity: the id the customer moved to
  std::string new_author_alt_id;  // kIdentity: their new phone id when new_author_id is not it
  std::optional<StatusUpdate> status;
  std::string unsupported_reason;  // kUnsupported: why
  int rating = 0;                  // kReview: stars 1..5; 0 = not a rating

  std::string raw_json;  // this event's own part of the webhook body, compact JSON
};

}  // namespace atalaya
