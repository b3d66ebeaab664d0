#include "common/event.h"

#include <array>
#include <utility>

namespace atalaya {
namespace {

constexpr std::array<std::pair<Channel, const char*>, 6> kChannelNames = {{
    {Channel::kWhatsApp, "whatsapp"},
    {Channel::kMessenger, "messenger"},
    {Channel::kInstagram, "instagram"},
    {Channel::kTwitter, "twitter"},
    {Channel::kAppStore, "app_store"},
    {Channel::kGooglePlay, "google_play"},
}};

constexpr std::array<std::pair<EventKind, const char*>, 10> kKindNames = {{
    {EventKind::kMessage, "message"},
    {EventKind::kPostback, "postback"},
    {EventKind::kReaction, "reaction"},
    {EventKind::kComment, "comment"},
    {EventKind::kMention, "mention"},
    {EventKind::kReview, "review"},
    {EventKind::kStatus, "status"},
    {EventKind::kIdentity, "identity"},
    {EventKind::kUnsupported, "unsupported"},
    {EventKind::kHandover, "handover"},
}};

constexpr std::array<std::pair<Direction, const char*>, 3> kDirectionNames = {{
    {Direction::kInbound, "inbound"},
    {Direction::kOutboundHuman, "outbound_human"},
    {Direction::kOutboundAccount, "outbound_account"},
}};

constexpr std::array<std::pair<DeliveryStatus, const char*>, 5> kStatusNames = {{
    {DeliveryStatus::kNone, "none"},
    {DeliveryStatus::kSent, "sent"},
    {DeliveryStatus::kDelivered, "delivered"},
    {DeliveryStatus::kRead, "read"},
    {DeliveryStatus::kFailed, "failed"},
}};

template <typename Enum, size_t N>
const char* NameOf(const std::array<std::pair<Enum, const char*>, N>& table, Enum value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> ValueOf(const std::array<std::pair<Enum, const char*>, N>& table,
                            std::string_view name) {
  for (const auto& [e, n] : table) {
    if (name == n) return e;
  }
  return std::nullopt;
}

}  // namespace

const char* ChannelName(Channel channel) { return NameOf(kChannelNames, channel); }
std::optional<Channel> ParseChannel(std::string_view name) { return ValueOf(kChannelNames, name); }
const char* EventKindName(EventKind kind) { return NameOf(kKindNames, kind); }
std::optional<EventKind> ParseEventKind(std::string_view name) { return ValueOf(kKindNames, name); }
const char* VisibilityName(Visibility visibility) {
  return visibility == Visibility::kPublic ? "public" : "private";
}
const char* DirectionName(Direction direction) { return NameOf(kDirectionNames, direction); }
std::optional<Direction> ParseDirection(std::string_view name) {
  return ValueOf(kDirectionNames, name);
}
const char* DeliveryStatusName(DeliveryStatus status) { return NameOf(kStatusNames, status); }
std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view name) {
  return ValueOf(kStatusNames, name);
}

}  // namespace atalaya
