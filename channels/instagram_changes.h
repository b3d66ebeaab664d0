#pragma once
// Instagram "changes" products (object "instagram", entry[].changes[]) into normalized
// events. Total; pure; any thread.
//
//   comments, live_comments  kComment, public; type "comment" / "live_comment";
//                            platform_id = dedup_key = value.id; thread_id = media.id;
//                            parent_id = the comment a reply answers; author id and handle
//                            from value.from (alt_id = its self_ig_scoped_id, when sent); an
//                            ad comment keeps {"ad_id","ad_title"} in referral_json. A comment
//                            by the account itself is kOutboundAccount.
//   mentions                 kMention, public, ids only (the text is fetched later through
//                            the Graph API): platform_id = comment_id, or media_id for a
//                            caption mention (type "caption_mention"); thread_id = media_id;
//                            dedup "mention:<media_id>:<comment_id or "caption">".
// Comment values carry no time of their own; entry.time stands in. raw_json is the change's
// value.

#include <cstdint>
#include <string>
#include <vector>

#include "channels/json_fields.h"
#include "common/event.h"

namespace atalaya::channels {

// The fields handled here.
bool IsInstagramChangeField(const std::string& field);

void AppendInstagramChangeEvents(const Json& change, const std::string& field,
                                 const std::string& account_id, int64_t entry_time_ms,
                                 std::vector<Event>* events);

}  // namespace atalaya::channels
