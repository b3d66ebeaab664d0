#include "store/outbox.h"

namespace atalaya::store {

const char* OutboxStateName(OutboxState state) {
  switch (state) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kSending:
      return "sending";
    case OutboxState::kSent:
      return "sent";
    case OutboxState::kFailed:
      return "failed";
  }
  return "pending";
}

std::optional<OutboxState> ParseOutboxState(std::string_view name) {
  for (OutboxState state :
       {OutboxState::kPending, OutboxState::kSending, OutboxState::kSent, OutboxState::kFailed}) {
    if (name == OutboxStateName(state)) return state;
  }
  return std::nullopt;
}

}  // namespace atalaya::store
