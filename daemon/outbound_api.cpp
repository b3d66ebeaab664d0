#include "daemon/outbound_api.h"

#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "channels/outbound_request.h"
#include "common/crypto.h"
#include "common/log.h"
#include "daemon/admin_auth.h"
#include "daemon/http_errors.h"
#include "daemon/sender_worker.h"

namespace atalaya::daemon {
namespace {

using Json = nlohmann::json;

// Top-level fields the API reads itself; every other known field goes into the payload.
const std::set<std::string> kEnvelopeFields = {"conversation_id", "kind",        "comment_id",
                                               "post_id",         "human_agent", "author"};
const std::set<std::string> kPayloadFields = {
    "text", "quick_replies", "buttons",    "footer", "button",    "sections",
    "name", "language",      "parameters", "action", "message_id"};
const std::set<std::string> kKinds = {
    "text",         "quick_replies", "buttons",        "template",  "interactive",  "private_reply",
    "public_reply", "hide_comment",  "unhide_comment", "mark_read", "sender_action"};

bool IsCommentKind(const std::string& kind) {
  return kind == "private_reply" || kind == "public_reply" || kind == "hide_comment" ||
         kind == "unhide_comment";
}

// The customer's id on the conversation's channel: WhatsApp prefers the wa_id (phone).
Result<std::string> RecipientOf(store::Store& store, const store::Conversation& conversation) {
  Result<std::optional<store::Contact>> contact = store.GetContact(conversation.contact_id);
  if (!contact.ok()) return contact.status();
  if (!contact->has_value()) {
    return NotFound("the contact of conversation " + std::to_string(conversation.id) +
                    " was not found");
  }
  std::string found;
  for (const store::ContactIdentity& identity : (*contact)->identities) {
    if (identity.channel != conversation.channel) continue;
    if (conversation.channel == Channel::kWhatsApp && identity.kind == "wa_id") {
      return identity.external_id;
    }
    if (found.empty()) found = identity.external_id;
  }
  if (found.empty()) {
    return FailedPrecondition(std::string("the contact has no ") +
                              ChannelName(conversation.channel) + " id to send to");
  }
  return found;
}

Result<store::NewOutbound> ParseRequest(const std::string& body, store::Store& store) {
  const Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgument("body is not valid JSON");
  if (!parsed.is_object()) return InvalidArgument("body must be a JSON object");
  for (const auto& [key, value] : parsed.items()) {
    if (kEnvelopeFields.count(key) == 0 && kPayloadFields.count(key) == 0) {
      return InvalidArgument("unknown field \"" + key + "\"");
    }
  }
  const auto id = parsed.find("conversation_id");
  if (id == parsed.end()) return InvalidArgument("conversation_id is missing");
  if (!id->is_number_integer() || id->get<int64_t>() <= 0) {
    return InvalidArgument("conversation_id must be a positive integer");
  }
  const auto kind = parsed.find("kind");
  if (kind == parsed.end()) return InvalidArgument("kind is missing");
  if (!kind->is_string() || kKinds.count(kind->get<std::string>()) == 0) {
    return InvalidArgument(
        "kind must be one of text, quick_replies, buttons, template, interactive, "
        "private_reply, public_reply, hide_comment, unhide_comment, mark_read, sender_action");
  }
  store::NewOutbound message;
  message.conversation_id = id->get<int64_t>();
  message.kind = kind->get<std::string>();
  message.author = "api";
  if (const auto author = parsed.find("author"); author != parsed.end()) {
    if (!author->is_string() || author->get<std::string>().empty()) {
      return InvalidArgument("author must be a non-empty string");
    }
    message.author = author->get<std::string>();
  }
  if (const auto human = parsed.find("human_agent"); human != parsed.end()) {
    if (!human->is_boolean()) return InvalidArgument("human_agent must be true or false");
    message.human_agent = human->get<bool>();
  }
  Json payload = Json::object();
  for (const auto& [key, value] : parsed.items()) {
    if (kPayloadFields.count(key) != 0) payload[key] = value;
  }

  Result<std::optional<store::Conversation>> conversation =
      store.GetConversation(message.conversation_id);
  if (!conversation.ok()) return conversation.status();
  if (!conversation->has_value()) {
    return NotFound("conversation " + std::to_string(message.conversation_id) + " not found");
  }
  message.channel = (*conversation)->channel;
  message.account_id = (*conversation)->account_id;

  const auto comment = parsed.find("comment_id");
  const auto post = parsed.find("post_id");
  if (IsCommentKind(message.kind)) {
    const bool has_comment = comment != parsed.end();
    const bool has_post = post != parsed.end() && message.kind == "private_reply";
    if (has_comment == has_post) {
      return InvalidArgument(message.kind == "private_reply"
                                 ? "private_reply needs exactly one of comment_id or post_id"
                                 : message.kind + " needs comment_id");
    }
    const Json& target = has_comment ? *comment : *post;
    if (!target.is_string() || target.get<std::string>().empty()) {
      return InvalidArgument(std::string(has_comment ? "comment_id" : "post_id") +
                             " must be a non-empty string");
    }
    message.recipient_id = target.get<std::string>();
    if (has_post) payload["target"] = "post";
  } else {
    if (comment != parsed.end() || post != parsed.end()) {
      return InvalidArgument("comment_id and post_id belong to comment kinds only");
    }
    if ((*conversation)->visibility == Visibility::kPublic) {
      return FailedPrecondition("conversation " + std::to_string(message.conversation_id) +
                                " is a public thread: answer with private_reply or public_reply "
                                "and a comment_id");
    }
    Result<std::string> recipient = RecipientOf(store, **conversation);
    if (!recipient.ok()) return recipient.status();
    message.recipient_id = *recipient;
  }
  message.payload_json = payload.dump();
  return message;
}

// "... id 42 ..." → 42; the store names the existing row in its kAlreadyExists message.
std::optional<int64_t> FirstNumber(const std::string& text) {
  const size_t start = text.find_first_of("0123456789");
  if (start == std::string::npos) return std::nullopt;
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data() + start, text.data() + text.size(), value);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

Json MessageJson(const store::OutboundMessage& message) {
  Json out = {{"id", message.id},
              {"conversation_id", message.request.conversation_id},
              {"channel", ChannelName(message.request.channel)},
              {"kind", message.request.kind},
              {"state", store::OutboxStateName(message.state)},
              {"attempts", message.attempts},
              {"created_ms", message.created_ms},
              {"possible_duplicate", message.possible_duplicate},
              {"delivery", DeliveryStatusName(message.delivery)}};
  if (message.state == store::OutboxState::kPending) {
    out["next_attempt_ms"] = message.next_attempt_ms;
  }
  if (message.sent_ms != 0) out["sent_ms"] = message.sent_ms;
  if (!message.platform_message_id.empty()) {
    out["platform_message_id"] = message.platform_message_id;
  }
  if (message.last_error.code != 0 || !message.last_error.message.empty()) {
    out["error"] = {{"code", message.last_error.code},
                    {"subcode", message.last_error.subcode},
                    {"message", message.last_error.message}};
  }
  return out;
}

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void WriteReplay(httplib::Response& res, const store::OutboundMessage& row) {
  Json body = MessageJson(row);
  body["idempotent_replay"] = true;
  WriteJson(res, 200, Dump(body));
}

}  // namespace

void RegisterOutboundApi(httplib::Server& server, store::Store& store, const Clock& clock,
                         OutboundApiOptions options) {
  auto shared = std::make_shared<const OutboundApiOptions>(std::move(options));

  server.Post("/api/v1/messages", [&store, &clock, shared](const httplib::Request& req,
                                                           httplib::Response& res) {
    if (Status auth = CheckAdminToken(req, shared->admin_token ? shared->admin_token() : "");
        !auth.ok()) {
      return WriteError(res, auth);
    }
    if (req.body.size() > shared->max_body_bytes) {
      return WriteError(
          res, PayloadTooLarge("body is " + std::to_string(req.body.size()) + " bytes; at most " +
                               std::to_string(shared->max_body_bytes)));
    }
    Result<store::NewOutbound> message = ParseRequest(req.body, store);
    if (!message.ok()) return WriteError(res, message.status());
    message->idempotency_key = req.get_header_value("Idempotency-Key");
    if (message->idempotency_key.size() > 200) {
      return WriteError(res, InvalidArgument("Idempotency-Key is longer than 200 characters"));
    }
    // A repeat of an accepted request answers with the first message, before any check
    // (a repeated private reply would otherwise be refused as the comment's second one).
    if (!message->idempotency_key.empty()) {
      Result<std::vector<store::OutboundMessage>> rows =
          store.ListOutbound(message->conversation_id);
      if (!rows.ok()) return WriteError(res, rows.status());
      for (const store::OutboundMessage& row : *rows) {
        if (row.request.idempotency_key == message->idempotency_key) {
          return WriteReplay(res, row);
        }
      }
    }
    // The sender's own checks, now, so the caller hears a refusal at once.
    Result<channels::SendContext> context = ResolveSendContext(
        store, *message, 0,
        ReengagementTemplateFor(shared->whatsapp_reengagement_template, *message));
    if (!context.ok()) return WriteError(res, context.status());
    Result<channels::GraphCall> call = channels::BuildGraphCall(*message, *context, clock);
    if (!call.ok()) return WriteError(res, call.status());

    Result<int64_t> id = store.EnqueueOutbound(*message, clock.NowMs());
    if (!id.ok() && id.status().code() == ErrorCode::kAlreadyExists) {
      std::optional<int64_t> existing = FirstNumber(id.status().message());
      Result<std::optional<store::OutboundMessage>> row =
          existing ? store.GetOutbound(*existing)
                   : Result<std::optional<store::OutboundMessage>>(std::nullopt);
      if (row.ok() && row->has_value()) return WriteReplay(res, **row);
      return WriteError(res, id.status());
    }
    if (!id.ok()) return WriteError(res, id.status());
    log::Info("outbound queued by the API", log::Int("outbox_id", *id),
              log::Int("conversation", message->conversation_id), log::Id("kind", message->kind));
    if (shared->on_queued) shared->on_queued();
    WriteJson(res, 202, Dump(Json{{"id", *id}, {"state", "pending"}}));
  });

  server.Get(R"(/api/v1/messages/(\d+))", [&store, shared](const httplib::Request& req,
                                                           httplib::Response& res) {
    if (Status auth = CheckAdminToken(req, shared->admin_token ? shared->admin_token() : "");
        !auth.ok()) {
      return WriteError(res, auth);
    }
    int64_t id = 0;
    const std::string digits = req.matches[1];
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      return WriteError(res, NotFound("message " + digits + " not found"));
    }
    Result<std::optional<store::OutboundMessage>> row = store.GetOutbound(id);
    if (!row.ok()) return WriteError(res, row.status());
    if (!row->has_value()) {
      return WriteError(res, NotFound("message " + std::to_string(id) + " not found"));
    }
    WriteJson(res, 200, Dump(MessageJson(**row)));
  });
}

}  // namespace atalaya::daemon
