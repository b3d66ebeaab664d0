#pragma once
// What ParseMetaWebhook needs to know about our own side: which Meta apps are atalaya, so the
// echoes of our own sends are dropped (loop prevention) while the echoes of messages a person
// wrote in another app (the Page Inbox, the phone) are kept as outbound history. The daemon
// fills it from config; a plain value, shared read-only by any thread.

#include <string>
#include <vector>

#include "common/event.h"

namespace atalaya::channels {

struct MetaParseOptions {
  // Our Meta app ids. An echo (`message.is_echo`) whose `app_id` is one of these is dropped:
  // the outbox already recorded that message. Empty = every echo is kept as a human's.
  std::vector<std::string> own_app_ids;
  // Given to the events of a body whose "object" is unknown or missing (a route knows which
  // platform it serves).
  Channel unknown_channel = Channel::kWhatsApp;
};

}  // namespace atalaya::channels
