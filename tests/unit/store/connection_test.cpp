#include "store/connection.h"

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace atalaya::store {
namespace {

using testing_util::TestDir;

const int kFlags = SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;

int64_t CountThroughCache(Connection& connection) {
  Statement count = connection.Prepare("SELECT COUNT(*) FROM t");
  count->executeStep();
  return count->getColumn(0).getInt64();
}

TEST(Connection, StatementLeftMidIterationDoesNotPinAnOldSnapshot) {
  TestDir dir;
  Connection writer(dir.File("c.db"), kFlags, 100);
  writer.db().exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1), (2)");
  Connection reader(dir.File("c.db"), SQLite::OPEN_READWRITE, 100);
  {
    Statement rows = reader.Prepare("SELECT x FROM t ORDER BY x");
    ASSERT_TRUE(rows->executeStep());
    EXPECT_EQ(rows->getColumn(0).getInt(), 1);
    // Dropped after one of two rows: the cache must reset it here.
  }
  writer.db().exec("INSERT INTO t VALUES (3)");
  Statement rows = reader.Prepare("SELECT x FROM t ORDER BY x");
  int seen = 0;
  while (rows->executeStep()) ++seen;
  EXPECT_EQ(seen, 3) << "the reader must see the writer's new row, from the first one";
  EXPECT_EQ(CountThroughCache(reader), 3);
}

TEST(Connection, SameTextWhileInUseGetsIndependentStatement) {
  TestDir dir;
  Connection connection(dir.File("c.db"), kFlags, 100);
  connection.db().exec("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2)");
  Statement outer = connection.Prepare("SELECT x FROM t WHERE x >= ? ORDER BY x");
  outer->bind(1, 1);
  ASSERT_TRUE(outer->executeStep());
  {
    Statement inner = connection.Prepare("SELECT x FROM t WHERE x >= ? ORDER BY x");
    inner->bind(1, 2);
    ASSERT_TRUE(inner->executeStep());
    EXPECT_EQ(inner->getColumn(0).getInt(), 2);
  }
  ASSERT_TRUE(outer->executeStep());
  EXPECT_EQ(outer->getColumn(0).getInt(), 2) << "the nested use must not disturb the outer one";
}

TEST(Connection, ReusedStatementStartsWithClearedBindings) {
  TestDir dir;
  Connection connection(dir.File("c.db"), kFlags, 100);
  connection.db().exec("CREATE TABLE t (x)");
  {
    Statement insert = connection.Prepare("INSERT INTO t VALUES (?)");
    insert->bind(1, 42);
    insert->exec();
  }
  {
    Statement insert = connection.Prepare("INSERT INTO t VALUES (?)");
    insert->exec();  // nothing bound this time: NULL, not the 42 of the last use
  }
  EXPECT_EQ(connection.db().execAndGet("SELECT COUNT(*) FROM t WHERE x IS NULL").getInt(), 1);
}

TEST(Connection, BadSqlThrowsAndLeavesTheCacheUsable) {
  TestDir dir;
  Connection connection(dir.File("c.db"), kFlags, 100);
  connection.db().exec("CREATE TABLE t (x)");
  EXPECT_THROW(connection.Prepare("SELECT nope FROM t"), SQLite::Exception);
  EXPECT_THROW(connection.Prepare("SELECT nope FROM t"), SQLite::Exception);
  EXPECT_EQ(CountThroughCache(connection), 0);
}

}  // namespace
}  // namespace atalaya::store
