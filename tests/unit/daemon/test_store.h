#pragma once
// A real SQLite store in a test's TempDir, for the tests of the daemon's workers.

#include <memory>
#include <string>

#include "store/store.h"
#include "tests/unit/daemon/temp_dir.h"

namespace atalaya::testing {

inline Result<std::unique_ptr<store::Store>> OpenTestStore(const TempDir& dir) {
  store::SqliteOptions options;
  options.path = dir / "atalaya.db";
  return store::OpenSqliteStore(options);
}

}  // namespace atalaya::testing
