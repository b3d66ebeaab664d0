#pragma once
// The platforms' time windows, checked before anything is sent (PLATFORMS.md "Send APIs"):
// - Messenger / Instagram: free-form messages within 24 h of the customer's last message
//   (messaging_type RESPONSE); a human agent may answer up to 7 days with the HUMAN_AGENT tag.
// - WhatsApp: free-form only within the 24-hour customer-service window, which only inbound
//   messages open; outside it, an approved template.
// - Private replies to a comment or visitor post: one, within 7 days of its creation.
// A window is open while strictly less than its length has passed: at exactly 24 h it is
// closed (refusing locally is cheaper than the platform's error). The times come from the
// caller (the store's conversation and events). Pure; any thread.

#include <cstdint>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace atalaya::channels {

inline constexpr int64_t kHourMs = 3'600'000;
inline constexpr int64_t kStandardWindowMs = 24 * kHourMs;
inline constexpr int64_t kHumanAgentWindowMs = 7 * 24 * kHourMs;
inline constexpr int64_t kPrivateReplyWindowMs = 7 * 24 * kHourMs;

enum class Sender { kBot, kHumanAgent };
enum class MessengerTiming { kResponse, kHumanAgentTag };

// kFailedPrecondition when closed, with how long ago the customer wrote. last_inbound_ms 0
// means the customer never wrote.
Result<MessengerTiming> CheckMessengerWindow(std::string_view channel_name, int64_t last_inbound_ms,
                                             Sender sender, const Clock& clock);
// `template_hint` (may be empty) is named in the refusal as the template to send instead.
Status CheckWhatsAppWindow(int64_t last_inbound_ms, std::string_view template_hint,
                           const Clock& clock);
// comment_created_ms 0 = unknown (refused: the 7 days cannot be checked).
Status CheckPrivateReplyWindow(int64_t comment_created_ms, bool already_replied,
                               const Clock& clock);

}  // namespace atalaya::channels
