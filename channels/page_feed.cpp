#include "channels/page_feed.h"

#include <utility>

#include "channels/dedup_key.h"
#include "channels/meta_social_fields.h"
#include "channels/meta_time.h"
#include "channels/unsupported_event.h"

namespace atalaya::channels {
namespace {

bool OneOf(const std::string& value, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (value == name) return true;
  }
  return false;
}

// The normalized action of a feed verb, or nullopt for verbs we do not handle.
std::optional<std::string> ActionOf(const std::string& verb) {
  if (verb == "add") return "";
  if (verb == "edited" || verb == "edit") return "edit";
  if (verb == "remove" || verb == "delete") return "remove";
  if (verb == "hide" || verb == "unhide") return verb;
  return std::nullopt;
}

}  // namespace

void AppendPageFeedEvents(const Json& change, const std::string& page_id, int64_t entry_time_ms,
                          std::vector<Event>* events) {
  auto unsupported = [&](std::string reason) {
    events->push_back(
        MakeUnsupportedEvent(Channel::kMessenger, page_id, std::move(reason), change));
  };
  const Json* value = ObjectMember(change, "value");
  if (value == nullptr) return unsupported("feed change has no \"value\" object");
  const std::string item = StringMember(*value, "item");
  const std::string verb = StringMember(*value, "verb");
  const bool is_comment = item == "comment";
  if (OneOf(item, {"reaction", "like", "share"})) {
    return unsupported("Page feed item \"" + item +
                       "\" is not handled: reactions, likes and shares are not messages");
  }
  if (!is_comment && !OneOf(item, {"status", "post", "photo", "video"})) {
    return unsupported(item.empty() ? "feed change has no \"item\""
                                    : "Page feed item \"" + item + "\" is not supported");
  }
  std::optional<std::string> action = ActionOf(verb);
  if (!action) {
    return unsupported(verb.empty() ? "feed change has no \"verb\""
                                    : "Page feed verb \"" + verb + "\" is not supported");
  }
  const std::string post_id = IdMember(*value, "post_id");
  const std::string id = is_comment ? IdMember(*value, "comment_id") : post_id;
  if (id.empty()) {
    return unsupported(is_comment ? "feed comment has no \"comment_id\""
                                  : "feed " + item + " has no \"post_id\"");
  }

  Event event;
  event.channel = Channel::kMessenger;
  event.account_id = page_id;
  event.kind = EventKind::kComment;
  event.type = item;
  event.visibility = Visibility::kPublic;
  event.action = *action;
  event.platform_id = id;
  event.text = StringMember(*value, "message");
  event.dedup_key = id + ":" + (verb == "edit" ? "edited" : verb);
  if (event.action == "edit") event.dedup_key += ":" + ShortTextHash(event.text);
  event.thread_id = post_id;
  const std::string parent_id = IdMember(*value, "parent_id");
  if (is_comment && parent_id != post_id) event.parent_id = parent_id;
  if (const Json* post = ObjectMember(*value, "post")) {
    event.thread_url = StringMember(*post, social_fields::kPostPermalink);
  }
  if (const Json* from = ObjectMember(*value, "from")) {
    event.author.id = IdMember(*from, "id");
    event.author.name = StringMember(*from, "name");
  }
  if (!page_id.empty() && event.author.id == page_id) {
    event.direction = Direction::kOutboundAccount;
  }
  for (const char* kind : {"photo", "video"}) {
    std::string url = StringMember(*value, kind);
    if (!url.empty()) event.attachments.push_back(Attachment{kind, "", url, "", "", "", ""});
  }
  event.timestamp_ms = MetaTimeMemberAsMs(*value, "created_time");
  if (event.timestamp_ms == 0) event.timestamp_ms = entry_time_ms;
  event.raw_json = CompactJson(*value);
  events->push_back(std::move(event));
}

}  // namespace atalaya::channels
