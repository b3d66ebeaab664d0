#pragma once
// One Messenger or Instagram messaging event (an element of `entry[].messaging[]` or
// `entry[].standby[]`; Instagram uses the Messenger shape with IGSIDs) into normalized
// events. Total: an unknown or broken event becomes kUnsupported with a reason; nothing
// throws. Pure; any thread.
//
// Mapping (PLATFORMS.md, "Messenger payloads" and "Instagram"):
//   message      kMessage (text, attachments, location, reply_to); a quick reply tap is a
//                kPostback with its payload (checked before plain text). Instagram: a story
//                reply carries the story as an attachment of kind "story" (reply_to_id = its
//                id); a story mention is a message with a "story_mention" attachment;
//                is_deleted -> kMessage with action "remove"; is_unsupported -> kUnsupported.
//                Dedup key: the mid ("<mid>:remove" for an unsent message).
//   echo         (message.is_echo) dropped when its app_id is one of ours; otherwise
//                kMessage with direction kOutboundHuman, author = the account, recipient_id
//                = the customer.
//   message_edit kMessage with action "edit"; key "<mid>:edit:<num_edit>".
//   postback     kPostback (text = title, payload, referral); key postback.mid, else
//                "postback:<sender>:<timestamp>".
//   referral     kPostback of type "referral" (payload = ref); "referral:<sender>:<ts>".
//   reaction     kReaction; emoji "" when withdrawn ("unreact");
//                "reaction:<mid>:<sender>:<action>:<timestamp>".
//   delivery     one kStatus (delivered) per mid, key "<mid>:delivered"; with no mids, one
//                watermark update (StatusUpdate.message_id "") keyed
//                "delivered:<customer>:<watermark>".
//   read         Messenger: a watermark update, "read:<customer>:<watermark>"; Instagram
//                (messaging_seen) names the mid: "<mid>:read".
//   pass_thread_control, take_thread_control, request_thread_control, app_roles
//                kHandover: type = that name, payload = the app owning (or asking for) the
//                thread, text = metadata; "handover:<type>:<sender>:<timestamp>".
// Status events carry no author: the customer is StatusUpdate.recipient_id.
// Keys whose parts are missing fall back to a hash of the event's JSON (dedup_key.h).

#include <string>
#include <vector>

#include "channels/json_fields.h"
#include "channels/meta_parse_options.h"
#include "common/event.h"

namespace atalaya::channels {

struct MessagingScope {
  Channel channel = Channel::kMessenger;  // kMessenger or kInstagram
  std::string account_id;                 // entry.id: the Page / Instagram account
  bool standby = false;                   // from entry[].standby[]
};

void AppendMessagingEvents(const Json& item, const MessagingScope& scope,
                           const MetaParseOptions& options, std::vector<Event>* events);

}  // namespace atalaya::channels
