#pragma once
// Names of Messenger, Page feed and Instagram webhook fields read by the parsers, gathered
// here because a few come from secondary sources only and must change in one place.
//
// Confirmed on Meta's reference pages: the messaging event objects (message, postback,
// reaction, delivery, read, referral, pass/take/request_thread_control, app_roles), echo
// fields (is_echo, app_id), Instagram comment values (id, text, from, media, parent_id) and
// mention values (comment_id, media_id). "verify" marks names seen only in secondary sources
// or public integrations.

namespace atalaya::channels::social_fields {

// Messenger "message_edits": {"message_edit": {"mid", "text", "num_edit"}}.
inline constexpr char kMessageEdit[] = "message_edit";
inline constexpr char kMessageEditCount[] = "num_edit";  // verify
// Instagram DMs: the customer unsent the message / Instagram cannot show it.
inline constexpr char kIsDeleted[] = "is_deleted";
inline constexpr char kIsUnsupported[] = "is_unsupported";
// Instagram seen receipts name the last message seen: {"read": {"mid"}} (verify: the
// messaging_seen page shows only a placeholder; public integrations read "mid").
inline constexpr char kReadMid[] = "mid";
// Instagram comment authors may carry their Instagram-scoped id for messaging (verify).
inline constexpr char kSelfIgScopedId[] = "self_ig_scoped_id";
// Page feed values: the post's public link inside value.post (verify: seen in payloads and
// in PLATFORMS.md, not on the feed reference table).
inline constexpr char kPostPermalink[] = "permalink_url";

}  // namespace atalaya::channels::social_fields
