#include "channels/media_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace atalaya::channels {
namespace {

enum Group : unsigned {
  kImage = 1,
  kSticker = 2,
  kAudio = 4,
  kVideo = 8,
  kDocument = 16,
};

struct MimeEntry {
  std::string_view mime;
  unsigned groups;
  std::string_view extension;
};

// The types WhatsApp documents for received media, and what Messenger and Instagram serve.
// Executables, archives and HTML are not on the list: an agent opens these files.
constexpr std::array<MimeEntry, 26> kMimes = {{
    {"image/jpeg", kImage, ".jpg"},
    {"image/png", kImage | kSticker, ".png"},
    {"image/webp", kImage | kSticker, ".webp"},
    {"image/gif", kImage, ".gif"},
    {"audio/aac", kAudio, ".aac"},
    {"audio/mp4", kAudio, ".m4a"},
    {"audio/mpeg", kAudio, ".mp3"},
    {"audio/amr", kAudio, ".amr"},
    {"audio/ogg", kAudio, ".ogg"},
    {"audio/opus", kAudio, ".opus"},
    {"audio/wav", kAudio, ".wav"},
    {"audio/x-wav", kAudio, ".wav"},
    {"audio/webm", kAudio, ".weba"},
    {"video/mp4", kVideo, ".mp4"},
    {"video/3gpp", kVideo, ".3gp"},
    {"video/quicktime", kVideo, ".mov"},
    {"video/webm", kVideo, ".webm"},
    {"application/pdf", kDocument, ".pdf"},
    {"text/plain", kDocument, ".txt"},
    {"text/csv", kDocument, ".csv"},
    {"application/msword", kDocument, ".doc"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", kDocument, ".docx"},
    {"application/vnd.ms-excel", kDocument, ".xls"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", kDocument, ".xlsx"},
    {"application/vnd.ms-powerpoint", kDocument, ".ppt"},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", kDocument,
     ".pptx"},
}};

// The groups a kind may be; 0 = not downloaded.
unsigned GroupsForKind(std::string_view kind) {
  if (kind == "image") return kImage;
  if (kind == "sticker") return kSticker;
  if (kind == "audio") return kAudio;
  if (kind == "video") return kVideo;
  if (kind == "document" || kind == "file") return kDocument;
  if (kind == "story" || kind == "story_mention" || kind == "ig_reel" || kind == "reel") {
    return kImage | kVideo;
  }
  return 0;
}

const MimeEntry* Find(std::string_view mime) {
  for (const MimeEntry& entry : kMimes) {
    if (entry.mime == mime) return &entry;
  }
  return nullptr;
}

}  // namespace

std::string NormalizeMime(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  std::string out;
  for (char c : content_type) {
    if (c == ' ' || c == '\t') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool IsDownloadableKind(std::string_view kind) { return GroupsForKind(kind) != 0; }

bool MimeAllowedForKind(std::string_view kind, std::string_view mime) {
  const MimeEntry* entry = Find(mime);
  return entry != nullptr && (entry->groups & GroupsForKind(kind)) != 0;
}

std::string ExtensionForMime(std::string_view mime) {
  const MimeEntry* entry = Find(mime);
  return entry != nullptr ? std::string(entry->extension) : ".bin";
}

}  // namespace atalaya::channels
