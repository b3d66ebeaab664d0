#pragma once
// One `entry[]` element of a Messenger ({"object":"page"}) or Instagram
// ({"object":"instagram"}) webhook body into normalized events. Called by ParseMetaWebhook.
// Total: nothing here fails or throws; a part that cannot be understood becomes kUnsupported
// with a reason. Pure; any thread.
//
// An entry holds `messaging[]` (meta_messaging.h), `standby[]` (the same events, received
// while another app owns the thread: Event.standby is set) and/or `changes[]`:
//   page:      field "feed" (page_feed.h);
//   instagram: fields "comments", "live_comments", "mentions" (instagram_changes.h);
//   both:      messaging fields delivered as a change ({"field":"messages","value":<a
//              messaging event>}, the shape of the App Dashboard's test button) are parsed
//              as messaging events;
//   anything else is kUnsupported naming the field.
// account_id is entry.id (the Page / Instagram professional account).

#include <vector>

#include "channels/json_fields.h"
#include "channels/meta_parse_options.h"
#include "common/event.h"

namespace atalaya::channels {

void AppendMessengerEntryEvents(const Json& entry, const MetaParseOptions& options,
                                std::vector<Event>* events);
void AppendInstagramEntryEvents(const Json& entry, const MetaParseOptions& options,
                                std::vector<Event>* events);

}  // namespace atalaya::channels
