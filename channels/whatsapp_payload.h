#pragma once
// Realistic WhatsApp Cloud API webhook bodies for `atalaya simulate`, tests and benchmarks:
// an inbound text message, shaped and escaped like Meta's (meta_json.h), ready to be signed
// with SignMetaBody and posted. Pure and deterministic (same input, same bytes); any thread.

#include <cstdint>
#include <string>

namespace atalaya::channels {

// Placeholders used when a field is left empty.
inline constexpr char kSimulatedWabaId[] = "100000000000001";          // entry[].id
inline constexpr char kSimulatedPhoneNumberId[] = "100000000000002";   // metadata
inline constexpr char kSimulatedDisplayPhoneNumber[] = "15550000000";  // metadata

struct SimulatedWhatsAppText {
  std::string phone_number_id;  // our number's id; "" = kSimulatedPhoneNumberId
  std::string from;             // the customer's wa_id (digits); "" = a username-only user
  std::string name;             // profile name; "" = no profile
  std::string text;             // any bytes; invalid UTF-8 becomes U+FFFD
  std::string message_id;       // "" = "wamid.SIM" + a hash of the other fields
  std::string user_id;          // the customer's BSUID; "" = none
  int64_t timestamp_s = 0;      // written as given (pass the clock's time)
};

// The body Meta would POST for that message. With a derived message id, two calls with the
// same fields give the same body (and the same dedup keys): vary the id or the timestamp to
// simulate distinct messages.
std::string BuildWhatsAppTextWebhook(const SimulatedWhatsAppText& message);

}  // namespace atalaya::channels
