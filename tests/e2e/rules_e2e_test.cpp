// The site's rules in the running daemon: loaded at start, reloaded on SIGHUP and through the
// authenticated admin endpoint, and a broken rule set never replaces the running one.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/e2e/daemon_fixture.h"

namespace atalaya::testing {
namespace {

using ::testing::HasSubstr;

class RulesE2E : public DaemonFixture {
 protected:
  void CopySiteRules() {
    std::filesystem::copy(std::string(ATALAYA_SOURCE_DIR) + "/examples/default/rules",
                          dir_ + "/rules", std::filesystem::copy_options::recursive);
  }
  httplib::Result ReloadRules(const std::string& token) {
    httplib::Client admin("127.0.0.1", admin_port_);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return admin.Post("/admin/reload-rules", headers, "", "application/json");
  }
};

TEST_F(RulesE2E, AdminReloadNeedsTheTokenAndRefusesABrokenRuleSet) {
  CopySiteRules();
  ASSERT_TRUE(StartDaemon());
  auto anonymous = ReloadRules("");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto wrong = ReloadRules("guess");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);

  auto good = ReloadRules("e2e-admin-token");
  ASSERT_TRUE(good);
  ASSERT_EQ(good->status, 200) << good->body;
  const std::string version = nlohmann::json::parse(good->body)["version"];
  EXPECT_EQ(version.size(), 16u);

  std::ofstream(dir_ + "/rules/99_broken.yaml") << "lists:\n  rotas: [sin cerrar\n";
  auto broken = ReloadRules("e2e-admin-token");
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 422);
  EXPECT_THAT(broken->body, HasSubstr("99_broken.yaml:3:1: YAML syntax error"));
  EXPECT_THAT(broken->body, HasSubstr(version));  // the running set is named, and stays

  std::filesystem::remove(dir_ + "/rules/99_broken.yaml");
  auto again = ReloadRules("e2e-admin-token");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_THAT(again->body, HasSubstr(version));
}

TEST_F(RulesE2E, SighupWithBrokenRulesKeepsServing) {
  CopySiteRules();
  ASSERT_TRUE(StartDaemon());
  std::ofstream(dir_ + "/rules/99_broken.yaml") << "filters:\n  - id: x\n    whne: {}\n";
  daemon_->Signal(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_TRUE(daemon_->running());
  EXPECT_THAT(Logs(), HasSubstr("rule reload refused"));
  EXPECT_THAT(Logs(), HasSubstr("99_broken.yaml:3:5"));
  auto res = PostSigned(WhatsAppText("wamid.RULES-1", "573001112233", "hola"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(RulesE2E, EveryCustomerMessageIsStoredWithItsDecisionAndTrace) {
  CopySiteRules();
  ASSERT_TRUE(StartDaemon());
  for (const auto& [id, text] : std::vector<std::pair<std::string, std::string>>{
           {"wamid.R-1", "hola"},
           {"wamid.R-2", "Quiero dar de baja mi línea, pésimo servicio"},
           {"wamid.R-3", "Quiero dar de baja mi línea, pésimo servicio"}}) {
    auto res = PostSigned(WhatsAppText(id, "573001112233", text));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
  }
  WaitForIngest();
  EXPECT_GE(Metric("atalaya_decisions_total{filter=\"drop\"}"), 2);  // "hola", the repeat
  EXPECT_EQ(Metric("atalaya_routed_total{queue=\"retencion\"}"), 1);
  EXPECT_EQ(StopDaemon(), 0);
  // The log says what was decided, one line per message, without the text or the sender.
  const std::string logs = Logs();
  EXPECT_THAT(logs, HasSubstr(R"("msg":"decided")"));
  EXPECT_THAT(logs,
              HasSubstr(R"("filter":"none","filter_reason":"","kind":"baja","queue":"retencion")"));
  for (const char* secret : {"573001112233", "pésimo", "hola"}) {
    EXPECT_THAT(logs, Not(HasSubstr(secret))) << "log leaks " << secret;
  }

  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto events = store->ListEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  for (const auto& e : *events) {
    ASSERT_TRUE(e.decision.has_value()) << e.event.platform_id;
    EXPECT_EQ(e.decision->ruleset_version.size(), 16u);
    EXPECT_FALSE(e.decision->trace.empty());
  }
  EXPECT_EQ((*events)[0].decision->filter, FilterAction::kDrop);  // one-word noise
  EXPECT_EQ((*events)[1].decision->filter, FilterAction::kNone);
  EXPECT_EQ((*events)[1].decision->Label("kind"), "baja");
  EXPECT_EQ((*events)[1].decision->queue, "retencion");
  EXPECT_EQ((*events)[2].decision->filter, FilterAction::kDrop);  // the same text again
  const int64_t baja_id = (*events)[1].id;
  store.reset();

  std::string log_dir = MakeTempDir("explain");
  DaemonProcess explain(ATALAYA_BINARY,
                        {"explain", "--message", std::to_string(baja_id), "--config", config_path_},
                        {}, log_dir);
  ASSERT_TRUE(explain.Start());
  EXPECT_EQ(explain.Wait(), 0) << explain.Stderr();
  EXPECT_THAT(explain.Stdout(), HasSubstr("queue           retencion"));
  EXPECT_THAT(explain.Stdout(),
              HasSubstr("rule set        " + (*events)[1].decision->ruleset_version));
}

TEST_F(RulesE2E, BrokenRulesStopTheStartWithTheirPositions) {
  CopySiteRules();
  std::ofstream(dir_ + "/rules/99_broken.yaml") << "lists:\n  rotas: [sin cerrar\n";
  EXPECT_FALSE(StartDaemon());
  EXPECT_EQ(daemon_->Wait(10000), 1);
  EXPECT_THAT(Logs(), HasSubstr("99_broken.yaml:3:1: YAML syntax error"));
}

}  // namespace
}  // namespace atalaya::testing
