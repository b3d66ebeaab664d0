#pragma once
// Test doubles for the outbound tests, behind the real interfaces:
// - FakeOutboxStore: an in-memory store::Store with the outbox state machine of
//   store/outbox.h, conversations, contacts and events; every other method answers kInternal.
//   Failures can be injected into MarkOutboundSent (a crash between the request and its
//   record).
// - ScriptedGraphClient: records every call (and its token) and plays scripted answers,
//   then succeeds with a Send API body.
// Both are thread-safe (the sender runs concurrent sends).

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "channels/graph_client.h"
#include "store/store.h"

namespace atalaya::testing {

class FakeOutboxStore : public store::Store {
 public:
  // --- setup ---
  void AddConversation(const store::Conversation& conversation);
  void AddContact(const store::Contact& contact);
  void AddEvent(int64_t conversation_id, const Event& event);
  void FailNextMarkSent(Status status);

  // --- the outbox ---
  Result<int64_t> EnqueueOutbound(const store::NewOutbound& message, int64_t now_ms) override;
  Result<std::vector<store::OutboundMessage>> DueOutbound(int64_t now_ms, size_t limit) override;
  Status MarkOutboundSending(int64_t id, int64_t now_ms) override;
  Status MarkOutboundSent(int64_t id, const std::string& platform_message_id,
                          int64_t now_ms) override;
  Status MarkOutboundRetry(int64_t id, int64_t next_attempt_ms, const store::OutboundError& error,
                           int64_t now_ms) override;
  Status MarkOutboundFailed(int64_t id, const store::OutboundError& error, int64_t now_ms) override;
  Result<int64_t> RecoverOutbound(int64_t now_ms) override;
  Result<std::optional<store::OutboundMessage>> GetOutbound(int64_t id) override;
  Result<std::vector<store::OutboundMessage>> ListOutbound(int64_t conversation_id) override;
  Result<std::optional<store::Conversation>> GetConversation(int64_t conversation_id) override;
  Result<std::optional<store::Contact>> GetContact(int64_t contact_id) override;
  Result<std::vector<store::StoredEvent>> ListEvents(const store::EventQuery& query) override;

  // Every state change, "<id>:<state>", in order (to assert Sending came before Sent).
  std::vector<std::string> Transitions() const;

  // --- not part of this fake ---
  Result<store::AppendOutcome> AppendInbox(store::InboxDelivery) override { return Unsupported(); }
  Result<std::vector<store::InboxRow>> PendingInbox(int64_t, size_t) override {
    return Unsupported();
  }
  Result<store::IngestOutcome> CommitIngest(int64_t, const std::vector<Event>&, int64_t) override {
    return Unsupported();
  }
  Status RecordOutbound(Channel, const std::string&, int64_t, int64_t) override {
    return Unsupported();
  }
  Result<std::optional<store::StoredEvent>> GetEvent(int64_t) override { return Unsupported(); }
  Result<bool> HasRecentText(Channel, const std::string&, const std::string&, int64_t,
                             int64_t) override {
    return Unsupported();
  }
  Result<std::optional<store::Contact>> FindContact(Channel, const std::string&) override {
    return Unsupported();
  }
  Result<std::optional<store::DeliveryState>> GetDelivery(Channel, const std::string&) override {
    return Unsupported();
  }
  Result<std::vector<store::MediaDownload>> DueMedia(int64_t, size_t) override {
    return Unsupported();
  }
  Status MarkMediaStored(int64_t, int, const store::StoredMedia&, int64_t) override {
    return Unsupported();
  }
  Status MarkMediaRetry(int64_t, int, int64_t, const store::MediaError&, int64_t) override {
    return Unsupported();
  }
  Status MarkMediaFailed(int64_t, int, const store::MediaError&, int64_t) override {
    return Unsupported();
  }
  Result<std::optional<store::MediaDownload>> GetMedia(int64_t, int) override {
    return Unsupported();
  }
  Result<store::InboxBacklog> GetInboxBacklog() override { return Unsupported(); }
  Result<store::InboxStats> GetInboxStats(int64_t) override { return Unsupported(); }
  Result<std::vector<store::DueMention>> DueMentions(int64_t, size_t) override {
    return Unsupported();
  }
  Status FinishMention(const store::MentionOutcome&, int64_t) override { return Unsupported(); }
  Status RetryMention(int64_t, int, int64_t, const std::string&, int64_t) override {
    return Unsupported();
  }
  Result<std::optional<store::MentionEnrichment>> GetMentionEnrichment(int64_t) override {
    return Unsupported();
  }
  Result<int64_t> Prune(int64_t, int, int) override { return Unsupported(); }
  Status Backup(const std::string&) override { return Unsupported(); }
  store::WriterStats GetWriterStats() const override { return {}; }
  bool Healthy() const override { return true; }

 private:
  static Status Unsupported() { return Internal("not part of FakeOutboxStore"); }
  Status Move(int64_t id, std::initializer_list<store::OutboxState> from, store::OutboxState to);

  mutable std::mutex mutex_;
  std::map<int64_t, store::Conversation> conversations_;
  std::map<int64_t, store::Contact> contacts_;
  std::vector<store::StoredEvent> events_;
  std::map<int64_t, store::OutboundMessage> outbox_;
  std::vector<std::string> transitions_;
  std::deque<Status> mark_sent_failures_;
  int64_t next_id_ = 1;
};

struct RecordedCall {
  channels::GraphCall call;
  std::string token;
};

class ScriptedGraphClient : public channels::GraphClient {
 public:
  // The next calls get these answers, in order; then a Send API success.
  void Push(Result<channels::GraphResponse> answer);
  static channels::GraphResponse Error(int http_status, int64_t code, int64_t retry_after_ms = -1);

  Result<channels::GraphResponse> Call(const channels::GraphCall& call,
                                       std::string_view token) override;
  std::vector<RecordedCall> Calls() const;
  // Calls to `path` wait until Release() (a platform call that hangs).
  void Block(const std::string& path);
  void Release();

 private:
  std::condition_variable released_;
  std::string blocked_path_;
  mutable std::mutex mutex_;
  std::deque<Result<channels::GraphResponse>> script_;
  std::vector<RecordedCall> calls_;
};

}  // namespace atalaya::testing
