#include "channels/window.h"

#include <string>

namespace atalaya::channels {
namespace {

// "30 h" under two days, "8 days" from then on: what an agent reads in a refusal.
std::string Ago(int64_t elapsed_ms) {
  if (elapsed_ms < 0) elapsed_ms = 0;
  const int64_t hours = elapsed_ms / kHourMs;
  if (hours < 48) return std::to_string(hours) + " h ago";
  return std::to_string(hours / 24) + " days ago";
}

}  // namespace

Result<MessengerTiming> CheckMessengerWindow(std::string_view channel_name, int64_t last_inbound_ms,
                                             Sender sender, const Clock& clock) {
  const std::string name(channel_name);
  if (last_inbound_ms <= 0) {
    return FailedPrecondition(name +
                              ": the customer has not written yet, so no message may be sent");
  }
  const int64_t elapsed = clock.NowMs() - last_inbound_ms;
  if (elapsed < kStandardWindowMs) return MessengerTiming::kResponse;
  if (sender == Sender::kHumanAgent) {
    if (elapsed < kHumanAgentWindowMs) return MessengerTiming::kHumanAgentTag;
    return FailedPrecondition(name + ": outside the 7-day human agent window (the customer's " +
                              "last message was " + Ago(elapsed) + ")");
  }
  return FailedPrecondition(name + ": outside the 24-hour messaging window (the customer's " +
                            "last message was " + Ago(elapsed) +
                            "); only a human agent may answer, up to 7 days");
}

Status CheckWhatsAppWindow(int64_t last_inbound_ms, std::string_view template_hint,
                           const Clock& clock) {
  const std::string use_template =
      template_hint.empty() ? "a template is required"
                            : "a template is required, e.g. \"" + std::string(template_hint) + "\"";
  if (last_inbound_ms <= 0) {
    return FailedPrecondition("WhatsApp: no customer-service window (the customer has not " +
                              std::string("written): ") + use_template);
  }
  const int64_t elapsed = clock.NowMs() - last_inbound_ms;
  if (elapsed < kStandardWindowMs) return Status::Ok();
  return FailedPrecondition("WhatsApp: outside the 24-hour customer-service window (the " +
                            std::string("customer's last message was ") + Ago(elapsed) +
                            "): " + use_template);
}

Status CheckPrivateReplyWindow(int64_t comment_created_ms, bool already_replied,
                               const Clock& clock) {
  if (already_replied) {
    return FailedPrecondition("private reply: this comment already has one (one per comment)");
  }
  if (comment_created_ms <= 0) {
    return FailedPrecondition(
        "private reply: the comment's creation time is unknown, so the 7-day limit cannot be "
        "checked");
  }
  const int64_t elapsed = clock.NowMs() - comment_created_ms;
  if (elapsed < kPrivateReplyWindowMs) return Status::Ok();
  return FailedPrecondition("private reply: only within 7 days of the comment (it was made " +
                            Ago(elapsed) + ")");
}

}  // namespace atalaya::channels
