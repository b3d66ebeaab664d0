#pragma once
// Reading an Instagram mention's content through the Graph API. The `mentions` webhook names
// only ids (instagram_changes.h): the account, the media, and the comment that mentioned us
// (none for a mention in a media's caption). The content is read on the account itself:
//
//   comment  GET /<ig-user-id>?fields=mentioned_comment.comment_id(<ID>){text,username,timestamp}
//            → {"mentioned_comment":{"text","username","timestamp","id"},"id":"<ig-user-id>"}
//   caption  GET /<ig-user-id>?fields=mentioned_media.media_id(<ID>){caption,username,timestamp}
//            → {"mentioned_media":{"caption","username","timestamp","id"},"id":"<ig-user-id>"}
//
// Pure; any thread. Errors: kInvalidArgument when the event is not such a mention or lacks
// an id; for an answer, kInvalidArgument when it is not a JSON object and kNotFound when it
// lacks the mentioned object (these are permanent: asking again gets the same answer).

#include <cstdint>
#include <string>
#include <string_view>

#include "channels/graph_client.h"
#include "common/event.h"
#include "common/status.h"

namespace atalaya::channels {

struct MentionDetails {
  std::string text;          // the comment's text, or the caption
  std::string username;      // who wrote it (no IGSID is given)
  int64_t timestamp_ms = 0;  // when; 0 when the answer had none or an unreadable one
};

// The GET for a mention event (kMention, type "mention" or "caption_mention"), the fields
// value percent-encoded.
Result<GraphCall> MentionFetchCall(const Event& mention);

// The content from a 2xx answer to MentionFetchCall(mention).
Result<MentionDetails> ParseMentionAnswer(const Event& mention, std::string_view body);

}  // namespace atalaya::channels
