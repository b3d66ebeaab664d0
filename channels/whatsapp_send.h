#pragma once
// WhatsApp Cloud API requests (`POST /<phone_number_id>/messages`): text, interactive reply
// buttons and lists, templates and mark as read. Free-form kinds (text, buttons,
// interactive) only inside the 24-hour customer-service window; templates and mark_read
// always. See outbound_request.h for the payloads and error meanings. Pure; any thread.

#include "channels/graph_client.h"
#include "channels/outbound_request.h"

namespace atalaya::channels {

inline constexpr size_t kWhatsAppTextMaxChars = 4096;
inline constexpr size_t kWhatsAppInteractiveBodyMaxChars = 1024;
inline constexpr size_t kWhatsAppFooterMaxChars = 60;
inline constexpr size_t kWhatsAppButtonsMax = 3;
inline constexpr size_t kWhatsAppButtonTitleMaxChars = 20;
inline constexpr size_t kWhatsAppListButtonMaxChars = 20;
inline constexpr size_t kWhatsAppListSectionsMax = 10;
inline constexpr size_t kWhatsAppListRowsMax = 10;  // in all sections together
inline constexpr size_t kWhatsAppRowTitleMaxChars = 24;
inline constexpr size_t kWhatsAppRowDescriptionMaxChars = 72;
inline constexpr size_t kWhatsAppSectionTitleMaxChars = 24;
inline constexpr size_t kWhatsAppReplyIdMaxChars = 256;  // button / row ids

Result<GraphCall> BuildWhatsAppCall(const store::NewOutbound& message, const SendContext& context,
                                    const Clock& clock);

}  // namespace atalaya::channels
