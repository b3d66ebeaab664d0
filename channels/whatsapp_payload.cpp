#include "channels/whatsapp_payload.h"

#include "channels/meta_json.h"
#include "channels/meta_webhook.h"
#include "channels/whatsapp_fields.h"
#include "common/crypto.h"

namespace atalaya::channels {
namespace {

namespace fields = whatsapp_fields;

std::string DerivedMessageId(const SimulatedWhatsAppText& m, const std::string& phone_number_id) {
  // Length-prefixed so that ("ab","c") and ("a","bc") differ.
  std::string key;
  for (const std::string* part : {&phone_number_id, &m.from, &m.user_id, &m.text}) {
    key += std::to_string(part->size()) + ":" + *part;
  }
  key += std::to_string(m.timestamp_s);
  return "wamid.SIM" + HexEncode(Sha256(key)).substr(0, 40);
}

}  // namespace

std::string BuildWhatsAppTextWebhook(const SimulatedWhatsAppText& m) {
  const std::string phone_number_id =
      m.phone_number_id.empty() ? kSimulatedPhoneNumberId : m.phone_number_id;

  OrderedJson contact = OrderedJson::object();
  if (!m.name.empty()) contact["profile"] = {{"name", m.name}};
  if (!m.from.empty()) contact["wa_id"] = m.from;
  if (!m.user_id.empty()) contact[fields::kContactBsuid] = m.user_id;

  OrderedJson message = OrderedJson::object();
  if (!m.from.empty()) message["from"] = m.from;
  if (!m.user_id.empty()) message[fields::kMessageBsuid] = m.user_id;
  message["id"] = m.message_id.empty() ? DerivedMessageId(m, phone_number_id) : m.message_id;
  message["timestamp"] = std::to_string(m.timestamp_s);
  message["type"] = "text";
  message["text"] = {{"body", m.text}};

  OrderedJson value = OrderedJson::object();
  value["messaging_product"] = "whatsapp";
  value["metadata"] = {{"display_phone_number", kSimulatedDisplayPhoneNumber},
                       {"phone_number_id", phone_number_id}};
  if (!contact.empty()) value["contacts"] = OrderedJson::array({contact});
  value["messages"] = OrderedJson::array({message});

  OrderedJson change = OrderedJson::object();
  change["value"] = std::move(value);
  change["field"] = "messages";
  OrderedJson entry = OrderedJson::object();
  entry["id"] = kSimulatedWabaId;
  entry["changes"] = OrderedJson::array({std::move(change)});
  OrderedJson body = OrderedJson::object();
  body["object"] = kWhatsAppObject;
  body["entry"] = OrderedJson::array({std::move(entry)});
  return MetaStyleJson(body);
}

}  // namespace atalaya::channels
