// The `outbound` section and the per-number WhatsApp re-engagement template: defaults are
// PLATFORMS.md's figures, every value reaches the sender's settings, and a value out of range
// is refused with its position and the exact reason.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/config.h"
#include "daemon/sender_config.h"
#include "tests/unit/daemon/temp_dir.h"

namespace atalaya::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kAdmin[] = "admin:\n  token: {env: ADMIN_TOKEN}\n";
const std::vector<std::string> kEnv = {"ADMIN_TOKEN=admin-t0ken"};

std::vector<std::string> Messages(const ConfigLoad& load) {
  std::vector<std::string> out;
  for (const ConfigError& e : load.errors) out.push_back(e.ToString());
  return out;
}

class OutboundConfigTest : public ::testing::Test {
 protected:
  ConfigLoad Load(const std::string& yaml, std::vector<std::string> env = kEnv) {
    path_ = dir_.Write("atalaya.yaml", std::string(kAdmin) + yaml);
    return LoadConfig(path_, env, {});
  }
  // Lines count from the first line of `yaml`, after the two admin lines.
  std::string Err(int yaml_line, int column, const std::string& message) const {
    return path_ + ":" + std::to_string(yaml_line + 2) + ":" + std::to_string(column) + ": " +
           message;
  }

  testing::TempDir dir_;
  std::string path_;
};

TEST_F(OutboundConfigTest, DefaultsAreThePlatformsDocumentedFigures) {
  ConfigLoad load = Load("");
  ASSERT_THAT(Messages(load), IsEmpty());
  const SenderSettings s = SenderSettingsFromConfig(load.config.outbound);
  EXPECT_EQ(s.concurrency, 4);
  EXPECT_EQ(s.retry.max_attempts, 8);
  EXPECT_EQ(s.retry.base_delay_ms, 1000);
  EXPECT_EQ(s.retry.max_delay_ms, 900000);
  // The limiter's own defaults are the figures of PLATFORMS.md; the config must not drift.
  const channels::RateLimitSettings platform;
  EXPECT_DOUBLE_EQ(s.rate_limits.messenger_per_page.per_second, 300);
  EXPECT_DOUBLE_EQ(s.rate_limits.messenger_per_page.burst, platform.messenger_per_page.burst);
  EXPECT_DOUBLE_EQ(s.rate_limits.instagram_per_account.per_second, 300);
  EXPECT_DOUBLE_EQ(s.rate_limits.instagram_per_account.burst, platform.instagram_per_account.burst);
  EXPECT_DOUBLE_EQ(s.rate_limits.private_replies_per_account.per_second, 750.0 / 3600.0);
  EXPECT_DOUBLE_EQ(s.rate_limits.private_replies_per_account.burst,
                   platform.private_replies_per_account.burst);
  EXPECT_DOUBLE_EQ(s.rate_limits.whatsapp_per_number.per_second, 80);
  EXPECT_DOUBLE_EQ(s.rate_limits.whatsapp_per_number.burst, platform.whatsapp_per_number.burst);
  EXPECT_DOUBLE_EQ(s.rate_limits.whatsapp_per_recipient.per_second, 1.0 / 6.0);
  EXPECT_DOUBLE_EQ(s.rate_limits.whatsapp_per_recipient.burst, 1);
  EXPECT_FALSE(s.whatsapp_reengagement_template);  // the daemon supplies the lookup
}

TEST_F(OutboundConfigTest, EveryValueReachesTheSender) {
  ConfigLoad load = Load(R"(outbound:
  concurrency: 16
  retry:
    max_attempts: 3
    base_delay_ms: 250
    max_delay_ms: 60000
  rate_limits:
    messenger_per_page_per_second: 50
    instagram_per_account_per_second: 40
    private_replies_per_hour: 360
    whatsapp_per_number_per_second: 20
    whatsapp_recipient_interval_ms: 2000
)");
  ASSERT_THAT(Messages(load), IsEmpty());
  const SenderSettings s = SenderSettingsFromConfig(load.config.outbound);
  EXPECT_EQ(s.concurrency, 16);
  EXPECT_EQ(s.retry.max_attempts, 3);
  EXPECT_EQ(s.retry.base_delay_ms, 250);
  EXPECT_EQ(s.retry.max_delay_ms, 60000);
  EXPECT_DOUBLE_EQ(s.rate_limits.messenger_per_page.per_second, 50);
  EXPECT_DOUBLE_EQ(s.rate_limits.messenger_per_page.burst, 50);
  EXPECT_DOUBLE_EQ(s.rate_limits.instagram_per_account.per_second, 40);
  EXPECT_DOUBLE_EQ(s.rate_limits.private_replies_per_account.per_second, 0.1);
  EXPECT_DOUBLE_EQ(s.rate_limits.private_replies_per_account.burst, 360);
  EXPECT_DOUBLE_EQ(s.rate_limits.whatsapp_per_number.per_second, 20);
  EXPECT_DOUBLE_EQ(s.rate_limits.whatsapp_per_recipient.per_second, 0.5);
}

TEST_F(OutboundConfigTest, ZeroTurnsOurOwnLimitOff) {
  ConfigLoad load = Load(R"(outbound:
  rate_limits:
    messenger_per_page_per_second: 0
    private_replies_per_hour: 0
    whatsapp_recipient_interval_ms: 0
)");
  ASSERT_THAT(Messages(load), IsEmpty());
  const SenderSettings s = SenderSettingsFromConfig(load.config.outbound);
  EXPECT_EQ(s.rate_limits.messenger_per_page.per_second, 0);  // the limiter's "unlimited"
  EXPECT_EQ(s.rate_limits.private_replies_per_account.per_second, 0);
  EXPECT_EQ(s.rate_limits.whatsapp_per_recipient.per_second, 0);
  EXPECT_DOUBLE_EQ(s.rate_limits.whatsapp_per_number.per_second, 80);  // the others stay
}

TEST_F(OutboundConfigTest, OutOfRangeValuesNameTheirPositionAndBounds) {
  ConfigLoad load = Load(R"(outbound:
  concurrency: 0
  retry:
    max_attempts: 0
    base_delay_ms: 5
  rate_limits:
    whatsapp_per_number_per_second: -1
    whatsapp_recipient_interval_ms: 3600001
)");
  EXPECT_THAT(
      Messages(load),
      ElementsAre(Err(2, 16, "outbound.concurrency: must be from 1 to 64, got 0"),
                  Err(4, 19, "outbound.retry.max_attempts: must be from 1 to 100, got 0"),
                  Err(5, 20, "outbound.retry.base_delay_ms: must be from 10 to 3600000, got 5"),
                  Err(7, 37,
                      "outbound.rate_limits.whatsapp_per_number_per_second: must be from 0 to "
                      "100000, got -1"),
                  Err(8, 37,
                      "outbound.rate_limits.whatsapp_recipient_interval_ms: must be from 0 to "
                      "3600000, got 3600001")));
}

TEST_F(OutboundConfigTest, ConcurrencyAboveSixtyFourAndNotANumber) {
  ConfigLoad load = Load("outbound:\n  concurrency: 65\n  retry:\n    max_attempts: many\n");
  EXPECT_THAT(Messages(load),
              ElementsAre(Err(2, 16, "outbound.concurrency: must be from 1 to 64, got 65"),
                          Err(4, 19,
                              "outbound.retry.max_attempts: expected an integer from 1 to 100, "
                              "got \"many\"")));
}

TEST_F(OutboundConfigTest, MaxDelayBelowBaseDelayIsRefused) {
  ConfigLoad both = Load("outbound:\n  retry:\n    base_delay_ms: 5000\n    max_delay_ms: 1000\n");
  EXPECT_THAT(Messages(both), ElementsAre(Err(4, 19,
                                              "outbound.retry.max_delay_ms: must be at least "
                                              "outbound.retry.base_delay_ms (5000), got 1000")));
  // Only the base written: the default cap is exceeded, and the base is what to fix.
  ConfigLoad base = Load("outbound:\n  retry:\n    base_delay_ms: 1000000\n");
  EXPECT_THAT(Messages(base),
              ElementsAre(Err(3, 20,
                              "outbound.retry.base_delay_ms: must be at most "
                              "outbound.retry.max_delay_ms (900000), got 1000000")));
}

TEST_F(OutboundConfigTest, UnknownKeySuggestsTheNearest) {
  ConfigLoad load = Load("outbound:\n  retry:\n    max_attempt: 3\n");
  EXPECT_THAT(Messages(load),
              ElementsAre(Err(3, 5,
                              "unknown key \"max_attempt\" in outbound.retry; did you mean "
                              "\"max_attempts\"? Valid keys: max_attempts, base_delay_ms, "
                              "max_delay_ms")));
}

TEST_F(OutboundConfigTest, EnvironmentOverridesAndIsCheckedToo) {
  ConfigLoad load = Load("outbound:\n  concurrency: 2\n",
                         {"ADMIN_TOKEN=a", "ATALAYA_OUTBOUND__CONCURRENCY=32",
                          "ATALAYA_OUTBOUND__RATE_LIMITS__WHATSAPP_RECIPIENT_INTERVAL_MS=0"});
  ASSERT_THAT(Messages(load), IsEmpty());
  EXPECT_EQ(load.config.outbound.concurrency, 32);
  EXPECT_EQ(load.config.outbound.rate_limits.whatsapp_recipient_interval_ms, 0);

  ConfigLoad bad = Load("", {"ADMIN_TOKEN=a", "ATALAYA_OUTBOUND__CONCURRENCY=0",
                             "ATALAYA_OUTBOUND__RETRY__MAX_DELAY_MS=500"});
  EXPECT_THAT(Messages(bad),
              ElementsAre("ATALAYA_OUTBOUND__CONCURRENCY: outbound.concurrency: must be from 1 "
                          "to 64, got 0",
                          "ATALAYA_OUTBOUND__RETRY__MAX_DELAY_MS: outbound.retry.max_delay_ms: "
                          "must be at least outbound.retry.base_delay_ms (1000), got 500"));
}

constexpr char kTwoNumbers[] = R"(channels:
  whatsapp:
    accounts:
      - id: "111"
        app_secret: {env: S}
        verify_token: {env: S}
        reengagement_template: seguimiento_pedido
      - id: "222"
        app_secret: {env: S}
        verify_token: {env: S}
)";

TEST_F(OutboundConfigTest, ReengagementTemplateIsPerWhatsAppNumber) {
  ConfigLoad load = Load(kTwoNumbers, {"ADMIN_TOKEN=a", "S=s"});
  ASSERT_THAT(Messages(load), IsEmpty());
  EXPECT_EQ(ConfiguredReengagementTemplate(load.config, "111"), "seguimiento_pedido");
  EXPECT_EQ(ConfiguredReengagementTemplate(load.config, "222"), "");
  EXPECT_EQ(ConfiguredReengagementTemplate(load.config, "333"), "");

  ConfigLoad env = Load(kTwoNumbers, {"ADMIN_TOKEN=a", "S=s",
                                      "ATALAYA_CHANNELS__WHATSAPP__ACCOUNTS__1__"
                                      "REENGAGEMENT_TEMPLATE=hola_de_nuevo"});
  ASSERT_THAT(Messages(env), IsEmpty());
  EXPECT_EQ(ConfiguredReengagementTemplate(env.config, "222"), "hola_de_nuevo");
}

TEST_F(OutboundConfigTest, BadTemplateNameAndTemplateOnAnotherChannel) {
  ConfigLoad load = Load(R"(channels:
  whatsapp:
    accounts:
      - id: "111"
        app_secret: {env: S}
        verify_token: {env: S}
        reengagement_template: Seguimiento Pedido
  messenger:
    accounts:
      - id: "999"
        app_secret: {env: S}
        verify_token: {env: S}
        reengagement_template: x
)",
                         {"ADMIN_TOKEN=a", "S=s"});
  EXPECT_THAT(
      Messages(load),
      ElementsAre(Err(7, 32,
                      "channels.whatsapp.accounts[0].reengagement_template: expected a WhatsApp "
                      "template name (lower-case letters, digits and _), got \"Seguimiento "
                      "Pedido\""),
                  Err(13, 9,
                      "unknown key \"reengagement_template\" in channels.messenger.accounts[0]. "
                      "Valid keys: id, app_secret, previous_app_secret, verify_token, "
                      "access_token")));
}

}  // namespace
}  // namespace atalaya::daemon
