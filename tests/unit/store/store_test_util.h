#pragma once
// Helpers shared by the store tests: a fresh folder per test and small Event builders.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/event.h"
#include "store/store.h"

namespace atalaya::store::testing_util {

// A new, empty folder for the running test, removed when the object goes.
class TestDir {
 public:
  TestDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("atalaya_store_" + std::string(info->test_suite_name()) + "_" + info->name() + "_" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TestDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline SqliteOptions Options(const std::string& path) {
  SqliteOptions options;
  options.path = path;
  return options;
}

inline std::unique_ptr<Store> OpenOrDie(const SqliteOptions& options) {
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(options);
  if (!store.ok()) {
    ADD_FAILURE() << store.status().ToString();
    return nullptr;
  }
  return std::move(store).value();
}

// An IngestItem with events only (no decisions, text keys or outbound messages).
inline IngestItem Item(int64_t inbox_id, std::vector<Event> events) {
  IngestItem item;
  item.inbox_id = inbox_id;
  item.events = std::move(events);
  return item;
}

inline InboxDelivery Delivery(const std::string& body, int64_t received_ms = 1'000) {
  return InboxDelivery{"whatsapp", body, received_ms};
}

// A WhatsApp text message from `author_id` (a BSUID or a wa_id).
inline Event WhatsAppText(const std::string& message_id, const std::string& author_id,
                          const std::string& text, int64_t timestamp_ms = 1'700'000'000'000) {
  Event event;
  event.channel = Channel::kWhatsApp;
  event.account_id = "PHONE_NUMBER_ID";
  event.kind = EventKind::kMessage;
  event.type = "text";
  event.platform_id = message_id;
  event.dedup_key = message_id;
  event.author.id = author_id;
  event.timestamp_ms = timestamp_ms;
  event.text = text;
  return event;
}

// A WhatsApp status update for our outbound `message_id`.
inline Event WhatsAppStatus(const std::string& message_id, DeliveryStatus status,
                            int64_t timestamp_ms = 1'700'000'000'000) {
  Event event;
  event.channel = Channel::kWhatsApp;
  event.account_id = "PHONE_NUMBER_ID";
  event.kind = EventKind::kStatus;
  event.type = DeliveryStatusName(status);
  event.platform_id = message_id;
  event.dedup_key = message_id + ":" + DeliveryStatusName(status);
  event.timestamp_ms = timestamp_ms;
  StatusUpdate update;
  update.message_id = message_id;
  update.status = status;
  update.recipient_id = "573001112233";
  event.status = update;
  return event;
}

}  // namespace atalaya::store::testing_util
