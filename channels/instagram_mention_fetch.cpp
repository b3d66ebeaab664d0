#include "channels/instagram_mention_fetch.h"

#include <cctype>

#include "channels/json_fields.h"
#include "channels/meta_time.h"

namespace atalaya::channels {
namespace {

bool IsCaptionMention(const Event& mention) { return mention.type == "caption_mention"; }

// RFC 3986 unreserved characters stay; every other byte is %XX.
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

Result<GraphCall> MentionFetchCall(const Event& mention) {
  if (mention.channel != Channel::kInstagram || mention.kind != EventKind::kMention) {
    return InvalidArgument("not an Instagram mention");
  }
  if (mention.account_id.empty()) return InvalidArgument("the mention names no account");
  const bool caption = IsCaptionMention(mention);
  // A comment mention's platform id is the comment; a caption mention's is the media.
  if (mention.platform_id.empty()) {
    return InvalidArgument(caption ? "the caption mention has no media id"
                                   : "the mention has no comment id");
  }
  const std::string fields =
      caption
          ? "mentioned_media.media_id(" + mention.platform_id + "){caption,username,timestamp}"
          : "mentioned_comment.comment_id(" + mention.platform_id + "){text,username,timestamp}";
  GraphCall call;
  call.method = "GET";
  call.path = PercentEncode(mention.account_id) + "?fields=" + PercentEncode(fields);
  return call;
}

Result<MentionDetails> ParseMentionAnswer(const Event& mention, std::string_view body) {
  const Json parsed = Json::parse(body, nullptr, false);
  if (!parsed.is_object()) return InvalidArgument("the Graph answer is not a JSON object");
  const bool caption = IsCaptionMention(mention);
  const char* key = caption ? "mentioned_media" : "mentioned_comment";
  const Json* mentioned = ObjectMember(parsed, key);
  if (mentioned == nullptr) {
    return NotFound(std::string("the Graph answer has no \"") + key + "\" object");
  }
  MentionDetails details;
  details.text = StringMember(*mentioned, caption ? "caption" : "text");
  details.username = StringMember(*mentioned, "username");
  details.timestamp_ms = MetaTimeMemberAsMs(*mentioned, "timestamp");
  return details;
}

}  // namespace atalaya::channels
