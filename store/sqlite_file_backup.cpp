// BackupSqliteFile: `atalaya backup` runs in its own process while the daemon serves, so it
// opens the database read-only (it never migrates, never writes, takes no writer lock) and
// lets SQLite's VACUUM INTO copy one consistent snapshot into a new file.

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>

#include "store/sqlite_error.h"
#include "store/store.h"

namespace atalaya::store {

Status BackupSqliteFile(const std::string& database_path, const std::string& destination_path) {
  std::error_code error;
  if (!std::filesystem::exists(database_path, error)) {
    return NotFound("no database at " + database_path + " (check --state-dir or the config)");
  }
  if (destination_path.empty()) return InvalidArgument("backup destination is empty");
  if (std::filesystem::exists(std::filesystem::symlink_status(destination_path, error))) {
    return AlreadyExists("backup destination already exists: " + destination_path +
                         " (choose a new file name)");
  }
  try {
    SQLite::Database db(database_path, SQLite::OPEN_READONLY);
    db.setBusyTimeout(10'000);
    SQLite::Statement vacuum(db, "VACUUM INTO ?");
    vacuum.bind(1, destination_path);
    vacuum.exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return StatusFromException(e, "backup");
  }
}

}  // namespace atalaya::store
