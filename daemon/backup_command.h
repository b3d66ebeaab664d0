#pragma once
// `atalaya backup FILE`: a consistent copy of the database while the daemon keeps serving
// (SQLite's VACUUM INTO on a read-only connection: it reads one snapshot, never blocks the
// writer for long, and writes a compact file ready to restore by copying it back).

#include <iosfwd>
#include <string>
#include <vector>

namespace atalaya::daemon {

int RunBackup(const std::vector<std::string>& args, const std::vector<std::string>& env,
              std::ostream& out, std::ostream& err);

}  // namespace atalaya::daemon
