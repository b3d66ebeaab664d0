#include "store/media.h"

namespace atalaya::store {

const char* MediaStateName(MediaState state) {
  switch (state) {
    case MediaState::kPending:
      return "pending";
    case MediaState::kStored:
      return "stored";
    case MediaState::kFailed:
      return "failed";
  }
  return "pending";
}

std::optional<MediaState> ParseMediaState(std::string_view name) {
  for (MediaState state : {MediaState::kPending, MediaState::kStored, MediaState::kFailed}) {
    if (name == MediaStateName(state)) return state;
  }
  return std::nullopt;
}

}  // namespace atalaya::store
