#pragma once
// Strict UTF-8 validation (RFC 3629): no overlong forms, no UTF-16 surrogates, nothing above
// U+10FFFF. Used on webhook bodies before they are stored. Pure; any thread.

#include <cstddef>
#include <optional>
#include <string_view>

namespace atalaya::channels {

// nullopt when bytes is valid UTF-8; otherwise the offset of the first byte of the first
// invalid sequence.
std::optional<size_t> FindInvalidUtf8(std::string_view bytes);

}  // namespace atalaya::channels
