#pragma once
// One Facebook Page `feed` change (object "page", entry[].changes[] with field "feed") into a
// normalized event. Total; pure; any thread.
//
// Comments (item "comment") and posts written on the Page (items "status", "post", "photo",
// "video": visitor posts, or the Page's own) become kComment events, **public**, linked to
// their post: thread_id = post_id, thread_url = post.permalink_url, parent_id = the comment a
// reply answers (empty for a top-level comment, whose parent_id is the post itself).
//   verb      add -> action ""; edited -> "edit"; remove -> "remove"; hide / unhide.
//   dedup     "<comment_id or post_id>:<verb>"; an edit appends a hash of the new text, so
//             each edit is its own event and a re-delivery of one is not.
//   direction a comment or post whose from.id is the Page itself is kOutboundAccount (the
//             Page's own public reply), never a customer message.
//   time      created_time (seconds or ISO-8601), else entry.time.
//   raw_json  the change's value.
// Reactions, likes and shares on posts are kept as kUnsupported with the reason "Page feed
// item \"<item>\" is not handled: reactions, likes and shares are not messages": they are
// not conversation, but an operator can still count them. Other items and verbs are
// kUnsupported naming them.

#include <cstdint>
#include <string>
#include <vector>

#include "channels/json_fields.h"
#include "common/event.h"

namespace atalaya::channels {

void AppendPageFeedEvents(const Json& change, const std::string& page_id, int64_t entry_time_ms,
                          std::vector<Event>* events);

}  // namespace atalaya::channels
