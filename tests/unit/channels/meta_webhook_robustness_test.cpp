// ParseMetaWebhook is total: whatever a (well signed) body holds, every part comes back as
// an event the store can key, and nothing throws. Systematic, deterministic mutations of
// every fixture (WhatsApp, Messenger and Page feed, Instagram) check it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "channels/meta_webhook.h"

namespace atalaya::channels {
namespace {

using Json = nlohmann::json;

// The fixtures of one platform folder under testdata/meta, or of all of them.
std::vector<std::string> Fixtures(const std::vector<std::string>& folders) {
  std::vector<std::string> bodies;
  for (const std::string& folder : folders) {
    std::vector<std::filesystem::path> paths;
    for (const auto& file : std::filesystem::directory_iterator(std::string(ATALAYA_TESTDATA_DIR) +
                                                                "/meta/" + folder)) {
      paths.push_back(file.path());
    }
    std::sort(paths.begin(), paths.end());  // a deterministic order
    for (const auto& path : paths) {
      std::ifstream in(path, std::ios::binary);
      std::stringstream content;
      content << in.rdbuf();
      bodies.push_back(content.str());
    }
  }
  return bodies;
}

std::vector<std::string> AllFixtures() { return Fixtures({"whatsapp", "messenger", "instagram"}); }

// Every node of a document, as JSON pointers.
void CollectPointers(const Json& node, const Json::json_pointer& at,
                     std::vector<Json::json_pointer>* out) {
  out->push_back(at);
  if (node.is_object()) {
    for (const auto& [key, child] : node.items()) CollectPointers(child, at / key, out);
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) CollectPointers(node[i], at / i, out);
  }
}

// What the store relies on: a dedup key on every event, a reason on every unsupported one.
void ExpectStorable(const std::vector<Event>& events, const std::string& what) {
  for (const Event& e : events) {
    EXPECT_FALSE(e.dedup_key.empty()) << what;
    if (e.kind == EventKind::kUnsupported) {
      EXPECT_FALSE(e.unsupported_reason.empty()) << what;
    }
  }
}

TEST(ParseMetaWebhookRobustness, FixturesAreAllPresent) {
  EXPECT_GE(Fixtures({"whatsapp"}).size(), 29u);
  EXPECT_GE(Fixtures({"messenger"}).size(), 38u);
  EXPECT_GE(Fixtures({"instagram"}).size(), 26u);
}

TEST(ParseMetaWebhookRobustness, EveryNodeReplacedByEveryJsonType) {
  const Json replacements[] = {nullptr, -1, 1.5, "", Json::array(), Json::object()};
  size_t parses = 0;
  for (const std::string& body : AllFixtures()) {
    const Json document = Json::parse(body);
    std::vector<Json::json_pointer> pointers;
    CollectPointers(document, Json::json_pointer(), &pointers);
    for (const Json::json_pointer& pointer : pointers) {
      for (const Json& replacement : replacements) {
        Json mutated = document;
        mutated[pointer] = replacement;
        const std::string what = pointer.to_string() + " = " + replacement.dump();
        std::vector<Event> events;
        ASSERT_NO_THROW(events = ParseMetaWebhook(mutated.dump())) << what;
        ExpectStorable(events, what);
        ++parses;
      }
    }
  }
  EXPECT_GT(parses, 13000u);
}

TEST(ParseMetaWebhookRobustness, EveryTruncationOfEveryFixture) {
  for (const std::string& body : AllFixtures()) {
    // Every prefix that lacks at least the closing brace.
    const size_t last_brace = body.find_last_of('}');
    for (size_t length = 0; length <= last_brace; length += 7) {
      std::vector<Event> events;
      ASSERT_NO_THROW(events = ParseMetaWebhook(body.substr(0, length)));
      ASSERT_EQ(events.size(), 1u);
      EXPECT_EQ(events[0].kind, EventKind::kUnsupported);
      ExpectStorable(events, "truncated at " + std::to_string(length));
    }
  }
}

TEST(ParseMetaWebhookRobustness, StatusesAndMessagesKeepTheirIdsAsKeysInEveryFixture) {
  for (const std::string& body : Fixtures({"whatsapp"})) {
    const Json document = Json::parse(body);
    std::vector<Event> events = ParseMetaWebhook(body);
    ExpectStorable(events, body.substr(0, 80));
    for (const Event& e : events) {
      if (e.kind == EventKind::kStatus) {
        ASSERT_TRUE(e.status.has_value());
        EXPECT_EQ(e.dedup_key,
                  e.platform_id + ":" + std::string(DeliveryStatusName(e.status->status)));
      } else if (e.kind != EventKind::kUnsupported) {
        EXPECT_EQ(e.dedup_key, e.platform_id);
        EXPECT_EQ(e.dedup_key.rfind("wamid.", 0), 0u);
      }
    }
  }
}

TEST(ParseMetaWebhookRobustness, EveryFixtureParsesTheSameTwiceWithDistinctKeys) {
  // Keys are what the store dedups on: the same body must give the same keys, and two
  // events of one body must never share one (a real event would be dropped as a duplicate).
  for (const std::string& body : AllFixtures()) {
    std::vector<Event> first = ParseMetaWebhook(body);
    std::vector<Event> second = ParseMetaWebhook(body);
    ASSERT_EQ(first.size(), second.size());
    std::set<std::string> keys;
    for (size_t i = 0; i < first.size(); ++i) {
      EXPECT_EQ(first[i].dedup_key, second[i].dedup_key);
      EXPECT_TRUE(keys.insert(first[i].dedup_key).second)
          << "duplicate key " << first[i].dedup_key << " in " << body.substr(0, 120);
    }
  }
}

TEST(ParseMetaWebhookRobustness, EveryDirectionAndKindOfTheNewParsersIsCovered) {
  // The fixtures exercise each thing the Messenger and Instagram parsers can produce.
  std::set<std::string> seen;
  for (const std::string& body : Fixtures({"messenger", "instagram"})) {
    for (const Event& e : ParseMetaWebhook(body)) {
      seen.insert(std::string(EventKindName(e.kind)) + "/" + DirectionName(e.direction));
    }
  }
  for (const char* want :
       {"message/inbound", "message/outbound_human", "postback/inbound", "reaction/inbound",
        "comment/inbound", "comment/outbound_account", "mention/inbound", "status/inbound",
        "handover/inbound", "unsupported/inbound"}) {
    EXPECT_TRUE(seen.count(want)) << want;
  }
}

}  // namespace
}  // namespace atalaya::channels
