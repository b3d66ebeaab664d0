#include "channels/meta_webhook.h"

#include <exception>
#include <string>

#include "channels/json_fields.h"
#include "channels/meta_envelope.h"
#include "channels/meta_social_webhook.h"
#include "channels/unsupported_event.h"
#include "channels/whatsapp_webhook.h"
#include "common/crypto.h"

namespace atalaya::channels {
namespace {

using EntryParser = void (*)(const Json& entry, const MetaParseOptions& options,
                             std::vector<Event>* events);

void AppendWhatsAppEntry(const Json& entry, const MetaParseOptions&, std::vector<Event>* events) {
  AppendWhatsAppEntryEvents(entry, events);
}

struct ObjectRoute {
  const char* object;
  EntryParser parse_entry;
};

constexpr ObjectRoute kRoutes[] = {
    {kWhatsAppObject, AppendWhatsAppEntry},
    {kMessengerObject, AppendMessengerEntryEvents},
    {kInstagramObject, AppendInstagramEntryEvents},
};

// One kUnsupported event standing for a whole body that could not be read as JSON.
Event UnreadableBody(std::string_view body, Channel channel, std::string reason) {
  Event event;
  event.channel = channel;
  event.kind = EventKind::kUnsupported;
  event.visibility = Visibility::kPrivate;
  event.unsupported_reason = std::move(reason);
  event.dedup_key = "unsupported:" + HexEncode(Sha256(body));
  return event;
}

}  // namespace

std::vector<Event> ParseMetaWebhook(std::string_view body, Channel unknown_channel) {
  MetaParseOptions options;
  options.unknown_channel = unknown_channel;
  return ParseMetaWebhook(body, options);
}

std::vector<Event> ParseMetaWebhook(std::string_view body, const MetaParseOptions& options) {
  const Channel unknown_channel = options.unknown_channel;
  // Bounds the depth before building a tree, so nothing below can recurse too deep.
  if (Status envelope = ValidateMetaEnvelope(body); !envelope.ok()) {
    return {UnreadableBody(body, unknown_channel, "unreadable webhook: " + envelope.message())};
  }
  try {
    const Json document = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) {
      return {UnreadableBody(body, unknown_channel, "unreadable webhook: not valid JSON")};
    }
    std::vector<Event> events;
    const Json* object = Member(document, "object");
    for (const ObjectRoute& route : kRoutes) {
      if (object == nullptr || *object != route.object) continue;
      for (const Json& entry : *ArrayMember(document, "entry"))
        route.parse_entry(entry, options, &events);
      return events;
    }
    std::string reason = object != nullptr && object->is_string()
                             ? "unsupported webhook object \"" + object->get<std::string>() + "\""
                             : std::string("webhook has no \"object\"");
    events.push_back(MakeUnsupportedEvent(unknown_channel, "", std::move(reason), document));
    return events;
  } catch (const std::exception& e) {
    // The parsers only use non-throwing accessors; this keeps a library surprise from
    // stopping the ingest worker, and keeps the body for inspection.
    return {UnreadableBody(body, unknown_channel, std::string("parser failure: ") + e.what())};
  }
}

}  // namespace atalaya::channels
