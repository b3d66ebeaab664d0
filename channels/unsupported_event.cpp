#include "channels/unsupported_event.h"

#include <utility>

#include "common/crypto.h"

namespace atalaya::channels {

std::string UnsupportedDedupKey(std::string_view compact_json) {
  return "unsupported:" + HexEncode(Sha256(compact_json));
}

Event MakeUnsupportedEvent(Channel channel, std::string account_id, std::string reason,
                           const Json& part) {
  Event event;
  event.channel = channel;
  event.account_id = std::move(account_id);
  event.kind = EventKind::kUnsupported;
  event.visibility = Visibility::kPrivate;
  event.unsupported_reason = std::move(reason);
  event.raw_json = CompactJson(part);
  event.dedup_key = UnsupportedDedupKey(event.raw_json);
  return event;
}

}  // namespace atalaya::channels
