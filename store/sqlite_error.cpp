#include "store/sqlite_error.h"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <string>

namespace atalaya::store {

Status StatusFromException(const std::exception& error, std::string_view doing) {
  const std::string context = std::string(doing) + ": ";
  const auto* sqlite_error = dynamic_cast<const SQLite::Exception*>(&error);
  if (sqlite_error == nullptr) return Internal(context + error.what());
  switch (sqlite_error->getErrorCode()) {
    case SQLITE_FULL:
      return ResourceExhausted(context + "disk full (" + error.what() + ")");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(context + "database is locked (" + error.what() + ")");
    case SQLITE_CONSTRAINT:
      return AlreadyExists(context + error.what());
    default:
      return Internal(context + error.what());
  }
}

}  // namespace atalaya::store
