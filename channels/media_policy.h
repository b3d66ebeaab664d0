#pragma once
// Which media atalaya downloads: the mime types allowed for each attachment kind, how a
// served Content-Type is compared with what the platform declared, and the file extension a
// stored file gets. Pure functions; any thread.
//
// Kinds come from the channel parsers: WhatsApp image | audio | video | document | sticker;
// Messenger and Instagram image | audio | video | file, plus Instagram's story | story_mention
// | ig_reel | reel (an image or a video). Any other kind (fallback link shares, ...) is not
// downloaded: it names a web page, not a file.

#include <string>
#include <string_view>

namespace atalaya::channels {

// "Image/JPEG; charset=x" → "image/jpeg": lower case, parameters and spaces dropped.
std::string NormalizeMime(std::string_view content_type);

// Whether attachments of `kind` are downloaded at all.
bool IsDownloadableKind(std::string_view kind);

// Whether a normalized mime type is allowed for `kind` (false for kinds not downloadable).
bool MimeAllowedForKind(std::string_view kind, std::string_view mime);

// The file extension for a normalized, allowed mime type, with its dot: ".jpg", ".pdf".
// ".bin" for a type with no entry (never for an allowed one).
std::string ExtensionForMime(std::string_view mime);

}  // namespace atalaya::channels
