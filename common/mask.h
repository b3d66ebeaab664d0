#pragma once
// Masking of personal data and credentials before anything reaches a log line.
//
// The logger (log.h) applies these to field values: a phone number keeps its country and
// operator prefix and its last 2 digits, a document number its last 3 characters, and any
// free text (identifiers, error messages) has its long digit runs, bearer tokens and Graph API
// access tokens hidden, in case personal data slipped into it. Message text is never masked
// but replaced by its length, and secrets are never printed at all: see log::Text and
// log::Secret. Pure functions; thread-safe.

#include <string>
#include <string_view>

namespace atalaya {

// What a hidden credential prints as.
inline constexpr char kRedacted[] = "[redacted]";

// "573001112233" → "57300*****33"; "+57 300 111 2233" → "+57300*****33";
// "3001112233" → "300*****33". Separators are dropped; the last 2 digits are shown, at most
// 5 leading ones, and never fewer than 5 digits hidden once there are 7 or more. Below 5
// digits nothing is shown.
std::string MaskPhone(std::string_view phone);

// "1020304050" → "*******050"; "AB-123456" → "*****456". Letters and digits are kept only
// in the last 3; 4 characters or fewer are hidden entirely.
std::string MaskDocument(std::string_view document);

// Free text: every run of 6 or more digits keeps only its last 2 ("cc 1020304050" →
// "cc ********50"), "Bearer <token>" becomes "Bearer [redacted]", and words that look like
// Meta access tokens ("EAA" + 27 or more letters/digits) become "[redacted]".
std::string MaskFreeText(std::string_view text);

}  // namespace atalaya
