// GroupCommitWriter's units of work sharing one transaction: a unit that fails must leave no
// trace while its neighbours in the same batch still commit, whether it failed before
// writing, in the middle of one statement, or after writes of its own.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "store/connection.h"
#include "store/group_commit_writer.h"
#include "store_test_util.h"

namespace atalaya::store {
namespace {

using testing_util::TestDir;

class GroupCommitUnits : public ::testing::Test {
 protected:
  void SetUp() override {
    SQLite::Database setup(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    setup.exec("PRAGMA journal_mode = WAL");
    setup.exec("CREATE TABLE item (name TEXT PRIMARY KEY)");
    setup.exec("INSERT INTO item VALUES ('taken')");
    writer_ = std::make_unique<GroupCommitWriter>(
        std::make_unique<Connection>(path_, SQLite::OPEN_READWRITE, 1000),
        GroupCommitWriter::Options{});
  }

  // A unit inserting `name`, counting how many times it ran.
  static GroupCommitWriter::Work Insert(std::string name, std::atomic<int>* runs = nullptr) {
    return [name, runs](Connection& conn) {
      if (runs != nullptr) ++*runs;
      Statement insert = conn.Prepare("INSERT INTO item VALUES (?)");
      insert->bind(1, name);
      insert->exec();
      return Status::Ok();
    };
  }

  // What the database holds once the writer is done, in order.
  std::vector<std::string> Names() {
    writer_.reset();
    SQLite::Database db(path_, SQLite::OPEN_READONLY);
    SQLite::Statement select(db, "SELECT name FROM item ORDER BY name");
    std::vector<std::string> names;
    while (select.executeStep()) names.push_back(select.getColumn(0).getString());
    return names;
  }

  TestDir dir_;
  const std::string path_ = dir_.File("units.db");
  std::unique_ptr<GroupCommitWriter> writer_;
};

TEST_F(GroupCommitUnits, AUnitThatFailsBeforeWritingCostsItsNeighboursNothing) {
  std::atomic<int> first_runs{0};
  std::vector<GroupCommitWriter::Work> works;
  works.push_back(Insert("alpha", &first_runs));
  works.push_back(Insert("taken"));  // the primary key refuses it
  works.push_back(Insert("gamma"));
  const std::vector<Status> results = writer_->SubmitAll(std::move(works));

  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_FALSE(results[1].ok());
  EXPECT_TRUE(results[2].ok()) << results[2].ToString();
  EXPECT_EQ(first_runs, 1) << "a unit that wrote nothing must not make the batch start over";
  EXPECT_EQ(Names(), (std::vector<std::string>{"alpha", "gamma", "taken"}));
}

TEST_F(GroupCommitUnits, AStatementFailingHalfwayLeavesNoneOfItsRows) {
  std::vector<GroupCommitWriter::Work> works;
  works.push_back(Insert("alpha"));
  // Inserts 'beta' and 'delta', then hits 'taken': SQLite must undo the first two.
  works.push_back([](Connection& conn) {
    conn.db().exec(
        "INSERT INTO item SELECT column1 FROM (VALUES ('beta'), ('delta'), ('taken')) "
        "ORDER BY 1");
    return Status::Ok();
  });
  works.push_back(Insert("gamma"));
  const std::vector<Status> results = writer_->SubmitAll(std::move(works));

  EXPECT_TRUE(results[0].ok());
  EXPECT_FALSE(results[1].ok());
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(Names(), (std::vector<std::string>{"alpha", "gamma", "taken"}));
}

TEST_F(GroupCommitUnits, AUnitThatWroteThenFailedIsUndoneAndItsNeighboursRunAgain) {
  std::atomic<int> first_runs{0};
  std::vector<GroupCommitWriter::Work> works;
  works.push_back(Insert("alpha", &first_runs));
  works.push_back([](Connection& conn) {
    Insert("beta")(conn);
    return FailedPrecondition("beta changed its mind");
  });
  works.push_back([](Connection& conn) {
    Insert("delta")(conn);
    Insert("taken")(conn);  // throws: 'delta' stays written until the writer undoes it
    return Status::Ok();
  });
  works.push_back(Insert("gamma"));
  const std::vector<Status> results = writer_->SubmitAll(std::move(works));

  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_EQ(results[1].code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(results[1].message(), "beta changed its mind");
  EXPECT_FALSE(results[2].ok());
  EXPECT_TRUE(results[3].ok()) << results[3].ToString();
  EXPECT_EQ(first_runs, 3) << "undoing a unit's writes takes a new transaction for the others";
  const WriterStats stats = writer_->Stats();
  EXPECT_EQ(stats.commits, 1);
  EXPECT_EQ(stats.failed_commits, 0);
  EXPECT_EQ(Names(), (std::vector<std::string>{"alpha", "gamma", "taken"}));
}

TEST_F(GroupCommitUnits, AUnitMayRecoverFromItsOwnFailedStatement) {
  std::vector<GroupCommitWriter::Work> works;
  works.push_back([](Connection& conn) {
    Insert("beta")(conn);
    try {
      Insert("taken")(conn);
    } catch (const SQLite::Exception&) {
      Insert("taken-2")(conn);  // its own fallback: what it wrote before stays
    }
    return Status::Ok();
  });
  const std::vector<Status> results = writer_->SubmitAll(std::move(works));

  EXPECT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_EQ(Names(), (std::vector<std::string>{"beta", "taken", "taken-2"}));
}

}  // namespace
}  // namespace atalaya::store
