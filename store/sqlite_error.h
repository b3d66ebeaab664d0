#pragma once
// Turns SQLiteCpp's exceptions into Status values at the store's edge, so nothing above the
// store ever sees an exception. Pure functions; thread-safe.
//
// Mapping: SQLITE_FULL → kResourceExhausted ("disk full"), SQLITE_BUSY/LOCKED → kUnavailable,
// SQLITE_CONSTRAINT → kAlreadyExists, anything else → kInternal carrying SQLite's own text.

#include <exception>
#include <string_view>

#include "common/status.h"

namespace atalaya::store {

// `doing` names the operation for the message, e.g. "append inbox".
Status StatusFromException(const std::exception& error, std::string_view doing);

}  // namespace atalaya::store
