// Account routing: events of accounts the config does not name are kept, as unsupported with
// a reason, counted by channel, and warned about at most once a minute.

#include "daemon/account_routing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/log.h"

namespace atalaya::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Event CommentFor(Channel channel, const std::string& account_id) {
  Event event;
  event.channel = channel;
  event.account_id = account_id;
  event.kind = EventKind::kComment;
  event.type = "comment";
  event.visibility = Visibility::kPublic;
  event.platform_id = "C1";
  event.dedup_key = "C1";
  event.author.id = "IGSID1";
  event.author.handle = "ana.cali";
  event.text = "¿Precio?";
  event.raw_json = R"({"id":"C1"})";
  return event;
}

MetaAccount Account(const std::string& id) {
  MetaAccount account;
  account.id = id;
  return account;
}

Config ConfigWith(const std::string& instagram_id, const std::string& page_id) {
  Config config;
  config.instagram.accounts.push_back(Account(instagram_id));
  config.messenger.accounts.push_back(Account(page_id));
  return config;
}

TEST(AccountDirectoryTest, KnowsEachAccountOnlyUnderItsOwnChannel) {
  const AccountDirectory accounts = AccountDirectory::FromConfig(ConfigWith("IG1", "PAGE1"));
  EXPECT_TRUE(accounts.Contains(Channel::kInstagram, "IG1"));
  EXPECT_TRUE(accounts.Contains(Channel::kMessenger, "PAGE1"));
  EXPECT_FALSE(accounts.Contains(Channel::kMessenger, "IG1"));
  EXPECT_FALSE(accounts.Contains(Channel::kInstagram, "PAGE1"));
  EXPECT_FALSE(accounts.Contains(Channel::kWhatsApp, "IG1"));
  EXPECT_FALSE(accounts.Contains(Channel::kInstagram, ""));
}

TEST(MarkUnconfiguredAccountsTest, OurAccountsEventIsUntouched) {
  const AccountDirectory accounts = AccountDirectory::FromConfig(ConfigWith("IG1", "PAGE1"));
  std::vector<Event> events = {CommentFor(Channel::kInstagram, "IG1")};
  EXPECT_TRUE(MarkUnconfiguredAccounts(accounts, events).empty());
  EXPECT_EQ(events[0].kind, EventKind::kComment);
  EXPECT_EQ(events[0].unsupported_reason, "");
}

TEST(MarkUnconfiguredAccountsTest, ForeignAccountIsKeptUnsupportedWithEveryFieldIntact) {
  const AccountDirectory accounts = AccountDirectory::FromConfig(ConfigWith("IG1", "PAGE1"));
  std::vector<Event> events = {CommentFor(Channel::kInstagram, "IG9")};
  const auto unrouted = MarkUnconfiguredAccounts(accounts, events);
  ASSERT_EQ(unrouted.size(), 1u);
  EXPECT_EQ(unrouted[0].first, Channel::kInstagram);
  EXPECT_EQ(unrouted[0].second, "IG9");
  const Event& event = events[0];
  EXPECT_EQ(event.kind, EventKind::kUnsupported);
  EXPECT_EQ(event.unsupported_reason, "account IG9 is not configured for instagram");
  // Nothing else is lost: an operator can still read what it was.
  EXPECT_EQ(event.type, "comment");
  EXPECT_EQ(event.text, "¿Precio?");
  EXPECT_EQ(event.author.handle, "ana.cali");
  EXPECT_EQ(event.dedup_key, "C1");
  EXPECT_EQ(event.raw_json, R"({"id":"C1"})");
  EXPECT_EQ(event.visibility, Visibility::kPublic);
}

TEST(MarkUnconfiguredAccountsTest, AnAccountOfAnotherChannelIsNotOurs) {
  // The Page id configured for Messenger does not make an Instagram event with that id ours.
  const AccountDirectory accounts = AccountDirectory::FromConfig(ConfigWith("IG1", "PAGE1"));
  std::vector<Event> events = {CommentFor(Channel::kInstagram, "PAGE1")};
  ASSERT_EQ(MarkUnconfiguredAccounts(accounts, events).size(), 1u);
  EXPECT_EQ(events[0].unsupported_reason, "account PAGE1 is not configured for instagram");
}

TEST(MarkUnconfiguredAccountsTest, AlreadyUnsupportedKeepsItsOwnReasonButIsCounted) {
  const AccountDirectory accounts = AccountDirectory::FromConfig(ConfigWith("IG1", "PAGE1"));
  Event garbage = CommentFor(Channel::kMessenger, "PAGE9");
  garbage.kind = EventKind::kUnsupported;
  garbage.unsupported_reason = "comment has no \"id\"";
  std::vector<Event> events = {garbage};
  EXPECT_EQ(MarkUnconfiguredAccounts(accounts, events).size(), 1u);
  EXPECT_EQ(events[0].unsupported_reason, "comment has no \"id\"");
}

TEST(MarkUnconfiguredAccountsTest, EventsWithoutAnAccountAreLeftAlone) {
  const AccountDirectory accounts;  // nothing configured at all
  Event unknown_object = CommentFor(Channel::kWhatsApp, "");
  unknown_object.kind = EventKind::kUnsupported;
  unknown_object.unsupported_reason = "unknown object \"x\"";
  std::vector<Event> events = {unknown_object};
  EXPECT_TRUE(MarkUnconfiguredAccounts(accounts, events).empty());
  EXPECT_EQ(events[0].unsupported_reason, "unknown object \"x\"");
}

TEST(MarkUnconfiguredAccountsTest, OnlyTheForeignEventsOfAMixedBatchAreMarked) {
  const AccountDirectory accounts = AccountDirectory::FromConfig(ConfigWith("IG1", "PAGE1"));
  std::vector<Event> events = {CommentFor(Channel::kInstagram, "IG1"),
                               CommentFor(Channel::kInstagram, "IG2"),
                               CommentFor(Channel::kMessenger, "PAGE1")};
  EXPECT_EQ(MarkUnconfiguredAccounts(accounts, events).size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::kComment);
  EXPECT_EQ(events[1].kind, EventKind::kUnsupported);
  EXPECT_EQ(events[2].kind, EventKind::kComment);
}

class AccountRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::SetSink([this](std::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override { log::SetSink(nullptr); }

  int Warnings() const {
    int n = 0;
    for (const std::string& line : lines_) n += line.find("not in the config") != std::string::npos;
    return n;
  }

  Metrics metrics_;
  FakeClock clock_;
  std::vector<std::string> lines_;
};

TEST_F(AccountRouterTest, WithoutAccountsSetEveryAccountIsOurs) {
  AccountRouter router(metrics_, clock_);
  std::vector<Event> events = {CommentFor(Channel::kInstagram, "IG9")};
  router.Route(events);
  EXPECT_EQ(events[0].kind, EventKind::kComment);
  EXPECT_EQ(metrics_.UnconfiguredAccount(Channel::kInstagram), 0);
}

TEST_F(AccountRouterTest, CountsByChannelAndWarnsOncePerMinuteWithIdsOnly) {
  AccountRouter router(metrics_, clock_);
  router.SetAccounts(AccountDirectory::FromConfig(ConfigWith("IG1", "PAGE1")));
  for (int i = 0; i < 5; ++i) {
    std::vector<Event> events = {CommentFor(Channel::kInstagram, "IG9"),
                                 CommentFor(Channel::kMessenger, "PAGE9")};
    router.Route(events);
    clock_.AdvanceMs(1000);
  }
  EXPECT_EQ(metrics_.UnconfiguredAccount(Channel::kInstagram), 5);
  EXPECT_EQ(metrics_.UnconfiguredAccount(Channel::kMessenger), 5);
  EXPECT_EQ(metrics_.UnconfiguredAccount(Channel::kWhatsApp), 0);
  ASSERT_EQ(Warnings(), 1);
  EXPECT_THAT(lines_[0], HasSubstr("IG9"));
  EXPECT_THAT(lines_[0], Not(HasSubstr("Precio")));  // never the text
  EXPECT_THAT(lines_[0], Not(HasSubstr("ana.cali")));

  clock_.AdvanceMs(AccountRouter::kWarnEveryMs);
  std::vector<Event> later = {CommentFor(Channel::kInstagram, "IG9")};
  router.Route(later);
  ASSERT_EQ(Warnings(), 2);
  // The second warning says how many went unreported in between (4 passes of 2 events).
  EXPECT_THAT(lines_.back(), HasSubstr("\"suppressed_since_last_warning\":8"));
}

TEST_F(AccountRouterTest, ReloadedAccountsApplyToTheNextEvents) {
  AccountRouter router(metrics_, clock_);
  router.SetAccounts(AccountDirectory::FromConfig(ConfigWith("IG1", "PAGE1")));
  std::vector<Event> before = {CommentFor(Channel::kInstagram, "IG2")};
  router.Route(before);
  EXPECT_EQ(before[0].kind, EventKind::kUnsupported);
  router.SetAccounts(AccountDirectory::FromConfig(ConfigWith("IG2", "PAGE1")));
  std::vector<Event> after = {CommentFor(Channel::kInstagram, "IG2")};
  router.Route(after);
  EXPECT_EQ(after[0].kind, EventKind::kComment);
}

TEST(MetricsTest, UnconfiguredAccountsAreCountedForMetaChannelsOnly) {
  Metrics metrics;
  metrics.CountUnconfiguredAccount(Channel::kInstagram);
  metrics.CountUnconfiguredAccount(Channel::kInstagram);
  metrics.CountUnconfiguredAccount(Channel::kTwitter);  // not a Meta channel: not counted
  EXPECT_EQ(metrics.UnconfiguredAccount(Channel::kInstagram), 2);
  EXPECT_EQ(metrics.UnconfiguredAccount(Channel::kTwitter), 0);
}

}  // namespace
}  // namespace atalaya::daemon
