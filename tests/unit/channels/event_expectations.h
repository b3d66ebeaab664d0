#pragma once
// Test helpers for the Meta parsers: read a fixture, and compare a parsed Event with the
// expected one field by field, so a test states every field and a failure names the field.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "channels/meta_webhook.h"
#include "common/event.h"

namespace atalaya::channels::testing {

inline std::string ReadFixture(const std::string& path) {
  std::ifstream file(std::string(ATALAYA_TESTDATA_DIR) + "/meta/" + path, std::ios::binary);
  EXPECT_TRUE(file.good()) << "missing fixture " << path;
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

// The compact JSON of the node at `pointer` inside a fixture: what raw_json should hold.
inline std::string FixturePart(const std::string& path, const std::string& pointer) {
  return nlohmann::json::parse(ReadFixture(path))[nlohmann::json::json_pointer(pointer)].dump();
}

inline void ExpectAttachmentEq(const Attachment& actual, const Attachment& expected) {
  EXPECT_EQ(actual.kind, expected.kind);
  EXPECT_EQ(actual.media_id, expected.media_id);
  EXPECT_EQ(actual.url, expected.url);
  EXPECT_EQ(actual.mime_type, expected.mime_type);
  EXPECT_EQ(actual.sha256, expected.sha256);
  EXPECT_EQ(actual.caption, expected.caption);
  EXPECT_EQ(actual.filename, expected.filename);
}

inline void ExpectEventEq(const Event& actual, const Event& expected) {
  EXPECT_EQ(ChannelName(actual.channel), std::string(ChannelName(expected.channel)));
  EXPECT_EQ(actual.account_id, expected.account_id);
  EXPECT_EQ(EventKindName(actual.kind), std::string(EventKindName(expected.kind)));
  EXPECT_EQ(actual.type, expected.type);
  EXPECT_EQ(VisibilityName(actual.visibility), std::string(VisibilityName(expected.visibility)));
  EXPECT_EQ(DirectionName(actual.direction), std::string(DirectionName(expected.direction)));
  EXPECT_EQ(actual.action, expected.action);
  EXPECT_EQ(actual.standby, expected.standby);
  EXPECT_EQ(actual.platform_id, expected.platform_id);
  EXPECT_EQ(actual.dedup_key, expected.dedup_key);
  EXPECT_EQ(actual.author.id, expected.author.id);
  EXPECT_EQ(actual.author.alt_id, expected.author.alt_id);
  EXPECT_EQ(actual.author.name, expected.author.name);
  EXPECT_EQ(actual.author.handle, expected.author.handle);
  EXPECT_EQ(actual.author.phone, expected.author.phone);
  EXPECT_EQ(actual.author.followers, expected.author.followers);
  EXPECT_EQ(actual.recipient_id, expected.recipient_id);
  EXPECT_EQ(actual.timestamp_ms, expected.timestamp_ms);
  EXPECT_EQ(actual.text, expected.text);
  EXPECT_EQ(actual.payload, expected.payload);
  EXPECT_EQ(actual.reply_to_id, expected.reply_to_id);
  EXPECT_EQ(actual.thread_id, expected.thread_id);
  EXPECT_EQ(actual.thread_url, expected.thread_url);
  EXPECT_EQ(actual.parent_id, expected.parent_id);
  ASSERT_EQ(actual.attachments.size(), expected.attachments.size());
  for (size_t i = 0; i < actual.attachments.size(); ++i) {
    SCOPED_TRACE("attachment " + std::to_string(i));
    ExpectAttachmentEq(actual.attachments[i], expected.attachments[i]);
  }
  ASSERT_EQ(actual.location.has_value(), expected.location.has_value());
  if (actual.location) {
    EXPECT_DOUBLE_EQ(actual.location->latitude, expected.location->latitude);
    EXPECT_DOUBLE_EQ(actual.location->longitude, expected.location->longitude);
    EXPECT_EQ(actual.location->name, expected.location->name);
    EXPECT_EQ(actual.location->address, expected.location->address);
  }
  EXPECT_EQ(actual.reaction_to_id, expected.reaction_to_id);
  EXPECT_EQ(actual.reaction_emoji, expected.reaction_emoji);
  EXPECT_EQ(actual.referral_json, expected.referral_json);
  EXPECT_EQ(actual.contacts_json, expected.contacts_json);
  EXPECT_EQ(actual.new_author_id, expected.new_author_id);
  ASSERT_EQ(actual.status.has_value(), expected.status.has_value());
  if (actual.status) {
    EXPECT_EQ(actual.status->message_id, expected.status->message_id);
    EXPECT_EQ(actual.status->status, expected.status->status);
    EXPECT_EQ(actual.status->recipient_id, expected.status->recipient_id);
    EXPECT_EQ(actual.status->watermark_ms, expected.status->watermark_ms);
    EXPECT_EQ(actual.status->error_code, expected.status->error_code);
  }
  EXPECT_EQ(actual.unsupported_reason, expected.unsupported_reason);
  EXPECT_EQ(actual.raw_json, expected.raw_json);
}

}  // namespace atalaya::channels::testing
