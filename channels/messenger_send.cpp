#include "channels/messenger_send.h"

#include <nlohmann/json.hpp>

#include "channels/outbound_fields.h"
#include "channels/window.h"

namespace atalaya::channels {
namespace {

using Json = nlohmann::ordered_json;

const char* PlatformName(Channel channel) {
  return channel == Channel::kInstagram ? "Instagram" : "Messenger";
}

Status CheckText(const store::NewOutbound& message, const std::string& text,
                 std::string_view what) {
  if (message.channel == Channel::kInstagram) {
    return CheckBytes(text, kInstagramTextMaxBytes, what, "Instagram");
  }
  return CheckChars(text, kMessengerTextMaxChars, what, "Messenger");
}

GraphCall MessagesCall(const store::NewOutbound& message, const Json& body) {
  return GraphCall{"POST", message.account_id + "/messages", body.dump()};
}

// The recipient and messaging_type of a free-form message, after the window check.
Result<Json> Envelope(const store::NewOutbound& message, const SendContext& context,
                      const Clock& clock) {
  Result<MessengerTiming> timing =
      CheckMessengerWindow(PlatformName(message.channel), context.last_inbound_ms,
                           message.human_agent ? Sender::kHumanAgent : Sender::kBot, clock);
  if (!timing.ok()) return timing.status();
  Json body;
  body["recipient"] = {{"id", message.recipient_id}};
  if (*timing == MessengerTiming::kResponse) {
    body["messaging_type"] = "RESPONSE";
  } else {
    body["messaging_type"] = "MESSAGE_TAG";
    body["tag"] = "HUMAN_AGENT";
  }
  return body;
}

Result<Json> QuickReplies(const nlohmann::json& payload, Channel channel) {
  Result<const nlohmann::json*> items = RequiredArray(payload, "quick_replies", "quick_replies");
  if (!items.ok()) return items.status();
  Status count =
      CheckCount((*items)->size(), kQuickRepliesMax, "quick replies", PlatformName(channel));
  if (!count.ok()) return count;
  Json out = Json::array();
  size_t index = 0;
  for (const nlohmann::json& item : **items) {
    ++index;
    const std::string label = "quick reply " + std::to_string(index);
    if (!item.is_object()) return InvalidArgument(label + " must be an object");
    Result<std::string> title = RequiredString(item, "title", label + " title");
    if (!title.ok()) return title.status();
    Status length =
        CheckChars(*title, kQuickReplyTitleMaxChars, label + " title", PlatformName(channel));
    if (!length.ok()) return length;
    Result<std::string> data = OptionalString(item, "payload", label + " payload");
    if (!data.ok()) return data.status();
    out.push_back(
        {{"content_type", "text"}, {"title", *title}, {"payload", data->empty() ? *title : *data}});
  }
  return out;
}

Result<Json> Buttons(const nlohmann::json& payload, Channel channel) {
  Result<const nlohmann::json*> items = RequiredArray(payload, "buttons", "buttons");
  if (!items.ok()) return items.status();
  Status count = CheckCount((*items)->size(), kButtonsMax, "buttons", PlatformName(channel));
  if (!count.ok()) return count;
  Json out = Json::array();
  size_t index = 0;
  for (const nlohmann::json& item : **items) {
    ++index;
    const std::string label = "button " + std::to_string(index);
    if (!item.is_object()) return InvalidArgument(label + " must be an object");
    Result<std::string> title = RequiredString(item, "title", label + " title");
    if (!title.ok()) return title.status();
    Status length =
        CheckChars(*title, kButtonTitleMaxChars, label + " title", PlatformName(channel));
    if (!length.ok()) return length;
    Result<std::string> url = OptionalString(item, "url", label + " url");
    if (!url.ok()) return url.status();
    Result<std::string> data = OptionalString(item, "payload", label + " payload");
    if (!data.ok()) return data.status();
    if (url->empty() == data->empty()) {
      return InvalidArgument(label + " needs exactly one of payload or url");
    }
    if (!url->empty()) {
      out.push_back({{"type", "web_url"}, {"title", *title}, {"url", *url}});
    } else {
      out.push_back({{"type", "postback"}, {"title", *title}, {"payload", *data}});
    }
  }
  return out;
}

Result<GraphCall> FreeForm(const store::NewOutbound& message, const nlohmann::json& payload,
                           const SendContext& context, const Clock& clock) {
  Result<std::string> text = RequiredString(payload, "text", "text");
  if (!text.ok()) return text.status();
  Json message_json;
  if (message.kind == "buttons") {
    Status length = CheckChars(*text, kButtonTemplateTextMaxChars, "button template text",
                               PlatformName(message.channel));
    if (!length.ok()) return length;
    Result<Json> buttons = Buttons(payload, message.channel);
    if (!buttons.ok()) return buttons.status();
    message_json["attachment"] = {
        {"type", "template"},
        {"payload",
         {{"template_type", "button"}, {"text", *text}, {"buttons", std::move(*buttons)}}}};
  } else {
    Status length = CheckText(message, *text, "text");
    if (!length.ok()) return length;
    message_json["text"] = *text;
    if (message.kind == "quick_replies") {
      Result<Json> replies = QuickReplies(payload, message.channel);
      if (!replies.ok()) return replies.status();
      message_json["quick_replies"] = std::move(*replies);
    }
  }
  // Shape first, window last: a malformed message is the caller's bug at any time.
  Result<Json> body = Envelope(message, context, clock);
  if (!body.ok()) return body.status();
  (*body)["message"] = std::move(message_json);
  return MessagesCall(message, *body);
}

Result<GraphCall> SenderAction(const store::NewOutbound& message, const std::string& action,
                               const SendContext& context, const Clock& clock) {
  if (action != "typing_on" && action != "typing_off" && action != "mark_seen") {
    return InvalidArgument("action must be typing_on, typing_off or mark_seen");
  }
  // Sender actions are not messages: no tag can carry one outside the standard window.
  Result<MessengerTiming> timing = CheckMessengerWindow(
      PlatformName(message.channel), context.last_inbound_ms, Sender::kBot, clock);
  if (!timing.ok()) return timing.status();
  Json body;
  body["recipient"] = {{"id", message.recipient_id}};
  body["sender_action"] = action;
  return MessagesCall(message, body);
}

Result<GraphCall> PrivateReply(const store::NewOutbound& message, const nlohmann::json& payload,
                               const SendContext& context, const Clock& clock) {
  Result<std::string> text = RequiredString(payload, "text", "text");
  if (!text.ok()) return text.status();
  Status length = CheckText(message, *text, "text");
  if (!length.ok()) return length;
  Result<std::string> target = OptionalString(payload, "target", "target");
  if (!target.ok()) return target.status();
  if (!target->empty() && *target != "comment" && *target != "post") {
    return InvalidArgument("target must be \"comment\" or \"post\"");
  }
  if (*target == "post" && message.channel == Channel::kInstagram) {
    return InvalidArgument("Instagram private replies go to comments only, not posts");
  }
  Status window =
      CheckPrivateReplyWindow(context.comment_created_ms, context.private_reply_sent, clock);
  if (!window.ok()) return window;
  Json body;
  body["recipient"] = {{*target == "post" ? "post_id" : "comment_id", message.recipient_id}};
  body["message"] = {{"text", *text}};
  return MessagesCall(message, body);
}

}  // namespace

Result<GraphCall> BuildMetaMessagingCall(const store::NewOutbound& message,
                                         const SendContext& context, const Clock& clock) {
  Result<nlohmann::json> payload = ParsePayload(message.payload_json);
  if (!payload.ok()) return payload.status();
  if (message.kind == "text" || message.kind == "quick_replies" || message.kind == "buttons") {
    return FreeForm(message, *payload, context, clock);
  }
  if (message.kind == "sender_action") {
    Result<std::string> action = RequiredString(*payload, "action", "action");
    if (!action.ok()) return action.status();
    return SenderAction(message, *action, context, clock);
  }
  if (message.kind == "mark_read") return SenderAction(message, "mark_seen", context, clock);
  if (message.kind == "private_reply") return PrivateReply(message, *payload, context, clock);
  return InvalidArgument("kind \"" + message.kind + "\" is not supported on " +
                         ChannelName(message.channel));
}

}  // namespace atalaya::channels
