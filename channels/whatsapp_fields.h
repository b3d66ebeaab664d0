#pragma once
// Names of WhatsApp Cloud API webhook fields that the parser and the payload builder share,
// gathered here because some are not yet confirmed by Meta and must change in one place.
//
// Confirmed on Meta's webhook reference pages (2026): contacts[].user_id (the business-scoped
// user id, BSUID), contacts[].profile.username, and system messages of type
// user_changed_number / user_changed_user_id carrying system.previous_user_id. Not confirmed
// in a primary source ("verify"): where the sender's BSUID sits inside messages[], where a
// status names its recipient's BSUID, and the names of the new ids inside a system message.

namespace atalaya::channels::whatsapp_fields {

inline constexpr char kContactBsuid[] = "user_id";
inline constexpr char kContactUsername[] = "username";                // inside contacts[].profile
inline constexpr char kMessageBsuid[] = "from_user_id";               // verify
inline constexpr char kStatusRecipientBsuid[] = "recipient_user_id";  // verify
inline constexpr char kSystemNewBsuid[] = "user_id";                  // verify
inline constexpr char kSystemNewWaId[] = "wa_id";            // since Graph v12: the new number
inline constexpr char kSystemLegacyNewWaId[] = "new_wa_id";  // before Graph v12
inline constexpr char kSystemPreviousBsuid[] = "previous_user_id";

}  // namespace atalaya::channels::whatsapp_fields
