#include "channels/whatsapp_send.h"

#include <nlohmann/json.hpp>

#include "channels/outbound_fields.h"
#include "channels/window.h"

namespace atalaya::channels {
namespace {

using Json = nlohmann::ordered_json;
constexpr const char* kPlatform = "WhatsApp";

Json Envelope(const store::NewOutbound& message, const char* type) {
  Json body;
  body["messaging_product"] = "whatsapp";
  body["recipient_type"] = "individual";
  body["to"] = message.recipient_id;
  body["type"] = type;
  return body;
}

GraphCall MessagesCall(const store::NewOutbound& message, const Json& body) {
  return GraphCall{"POST", message.account_id + "/messages", body.dump()};
}

// A required string within a character limit.
Result<std::string> LimitedString(const nlohmann::json& object, const char* key,
                                  const std::string& what, size_t limit) {
  Result<std::string> value = RequiredString(object, key, what);
  if (!value.ok()) return value;
  Status length = CheckChars(*value, limit, what, kPlatform);
  if (!length.ok()) return length;
  return value;
}

Result<std::string> OptionalLimitedString(const nlohmann::json& object, const char* key,
                                          const std::string& what, size_t limit) {
  Result<std::string> value = OptionalString(object, key, what);
  if (!value.ok()) return value;
  Status length = CheckChars(*value, limit, what, kPlatform);
  if (!length.ok()) return length;
  return value;
}

// body and optional footer of an interactive message.
Result<Json> InteractiveFrame(const nlohmann::json& payload, const char* type) {
  Result<std::string> text =
      LimitedString(payload, "text", "interactive body text", kWhatsAppInteractiveBodyMaxChars);
  if (!text.ok()) return text.status();
  Result<std::string> footer =
      OptionalLimitedString(payload, "footer", "footer", kWhatsAppFooterMaxChars);
  if (!footer.ok()) return footer.status();
  Json interactive;
  interactive["type"] = type;
  interactive["body"] = {{"text", *text}};
  if (!footer->empty()) interactive["footer"] = {{"text", *footer}};
  return interactive;
}

Result<Json> ReplyButtons(const nlohmann::json& payload) {
  Result<Json> interactive = InteractiveFrame(payload, "button");
  if (!interactive.ok()) return interactive;
  Result<const nlohmann::json*> items = RequiredArray(payload, "buttons", "buttons");
  if (!items.ok()) return items.status();
  Status count = CheckCount((*items)->size(), kWhatsAppButtonsMax, "buttons", kPlatform);
  if (!count.ok()) return count;
  Json buttons = Json::array();
  size_t index = 0;
  for (const nlohmann::json& item : **items) {
    const std::string label = "button " + std::to_string(++index);
    if (!item.is_object()) return InvalidArgument(label + " must be an object");
    Result<std::string> id = LimitedString(item, "id", label + " id", kWhatsAppReplyIdMaxChars);
    if (!id.ok()) return id.status();
    Result<std::string> title =
        LimitedString(item, "title", label + " title", kWhatsAppButtonTitleMaxChars);
    if (!title.ok()) return title.status();
    buttons.push_back({{"type", "reply"}, {"reply", {{"id", *id}, {"title", *title}}}});
  }
  (*interactive)["action"] = {{"buttons", std::move(buttons)}};
  return interactive;
}

Result<Json> List(const nlohmann::json& payload) {
  Result<Json> interactive = InteractiveFrame(payload, "list");
  if (!interactive.ok()) return interactive;
  Result<std::string> button =
      LimitedString(payload, "button", "list button", kWhatsAppListButtonMaxChars);
  if (!button.ok()) return button.status();
  Result<const nlohmann::json*> sections = RequiredArray(payload, "sections", "sections");
  if (!sections.ok()) return sections.status();
  Status count =
      CheckCount((*sections)->size(), kWhatsAppListSectionsMax, "list sections", kPlatform);
  if (!count.ok()) return count;
  Json out_sections = Json::array();
  size_t rows_total = 0;
  size_t section_index = 0;
  for (const nlohmann::json& section : **sections) {
    const std::string label = "section " + std::to_string(++section_index);
    if (!section.is_object()) return InvalidArgument(label + " must be an object");
    Result<std::string> title =
        OptionalLimitedString(section, "title", label + " title", kWhatsAppSectionTitleMaxChars);
    if (!title.ok()) return title.status();
    Result<const nlohmann::json*> rows = RequiredArray(section, "rows", label + " rows");
    if (!rows.ok()) return rows.status();
    Json out_rows = Json::array();
    size_t row_index = 0;
    for (const nlohmann::json& row : **rows) {
      const std::string row_label = label + " row " + std::to_string(++row_index);
      if (!row.is_object()) return InvalidArgument(row_label + " must be an object");
      Result<std::string> id =
          LimitedString(row, "id", row_label + " id", kWhatsAppReplyIdMaxChars);
      if (!id.ok()) return id.status();
      Result<std::string> row_title =
          LimitedString(row, "title", row_label + " title", kWhatsAppRowTitleMaxChars);
      if (!row_title.ok()) return row_title.status();
      Result<std::string> description = OptionalLimitedString(
          row, "description", row_label + " description", kWhatsAppRowDescriptionMaxChars);
      if (!description.ok()) return description.status();
      Json out_row = {{"id", *id}, {"title", *row_title}};
      if (!description->empty()) out_row["description"] = *description;
      out_rows.push_back(std::move(out_row));
    }
    rows_total += out_rows.size();
    Json out_section;
    if (!title->empty()) out_section["title"] = *title;
    out_section["rows"] = std::move(out_rows);
    out_sections.push_back(std::move(out_section));
  }
  Status rows_count = CheckCount(rows_total, kWhatsAppListRowsMax, "list rows", kPlatform);
  if (!rows_count.ok()) return rows_count;
  (*interactive)["action"] = {{"button", *button}, {"sections", std::move(out_sections)}};
  return interactive;
}

Result<GraphCall> Template(const store::NewOutbound& message, const nlohmann::json& payload) {
  Result<std::string> name = RequiredString(payload, "name", "template name");
  if (!name.ok()) return name.status();
  Result<std::string> language = RequiredString(payload, "language", "template language");
  if (!language.ok()) return language.status();
  Json parameters = Json::array();
  const auto it = payload.find("parameters");
  if (it != payload.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgument("template parameters must be an array");
    size_t index = 0;
    for (const nlohmann::json& parameter : *it) {
      ++index;
      if (!parameter.is_string() || parameter.get<std::string>().empty()) {
        return InvalidArgument("template parameter " + std::to_string(index) +
                               " must be a non-empty string");
      }
      parameters.push_back({{"type", "text"}, {"text", parameter.get<std::string>()}});
    }
  }
  Json template_json;
  template_json["name"] = *name;
  template_json["language"] = {{"code", *language}};
  if (!parameters.empty()) {
    template_json["components"] = Json::array({{{"type", "body"}, {"parameters", parameters}}});
  }
  Json body = Envelope(message, "template");
  body["template"] = std::move(template_json);
  return MessagesCall(message, body);
}

}  // namespace

Result<GraphCall> BuildWhatsAppCall(const store::NewOutbound& message, const SendContext& context,
                                    const Clock& clock) {
  Result<nlohmann::json> payload = ParsePayload(message.payload_json);
  if (!payload.ok()) return payload.status();
  if (message.kind == "template") return Template(message, *payload);
  if (message.kind == "mark_read") {
    Result<std::string> id = RequiredString(*payload, "message_id", "message_id");
    if (!id.ok()) return id.status();
    Json body;
    body["messaging_product"] = "whatsapp";
    body["status"] = "read";
    body["message_id"] = *id;
    return MessagesCall(message, body);
  }
  Json body;
  if (message.kind == "text") {
    Result<std::string> text = LimitedString(*payload, "text", "text", kWhatsAppTextMaxChars);
    if (!text.ok()) return text.status();
    body = Envelope(message, "text");
    body["text"] = {{"preview_url", false}, {"body", *text}};
  } else if (message.kind == "buttons" || message.kind == "interactive") {
    Result<Json> interactive = message.kind == "buttons" ? ReplyButtons(*payload) : List(*payload);
    if (!interactive.ok()) return interactive.status();
    body = Envelope(message, "interactive");
    body["interactive"] = std::move(*interactive);
  } else {
    return InvalidArgument("kind \"" + message.kind + "\" is not supported on whatsapp");
  }
  // Shape first, window last: a malformed message is the caller's bug at any time.
  Status window =
      CheckWhatsAppWindow(context.last_inbound_ms, context.reengagement_template, clock);
  if (!window.ok()) return window;
  return MessagesCall(message, body);
}

}  // namespace atalaya::channels
