#include "tests/unit/daemon/sender_fakes.h"

#include <algorithm>

#include "channels/graph_client.h"

namespace atalaya::testing {

using store::OutboxState;

void FakeOutboxStore::AddConversation(const store::Conversation& conversation) {
  std::lock_guard<std::mutex> lock(mutex_);
  conversations_[conversation.id] = conversation;
}

void FakeOutboxStore::AddContact(const store::Contact& contact) {
  std::lock_guard<std::mutex> lock(mutex_);
  contacts_[contact.id] = contact;
}

void FakeOutboxStore::AddEvent(int64_t conversation_id, const Event& event) {
  std::lock_guard<std::mutex> lock(mutex_);
  store::StoredEvent stored;
  stored.id = static_cast<int64_t>(events_.size()) + 1;
  stored.conversation_id = conversation_id;
  stored.event = event;
  events_.push_back(stored);
}

void FakeOutboxStore::FailNextMarkSent(Status status) {
  std::lock_guard<std::mutex> lock(mutex_);
  mark_sent_failures_.push_back(std::move(status));
}

Result<int64_t> FakeOutboxStore::EnqueueOutbound(const store::NewOutbound& message,
                                                 int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!message.idempotency_key.empty()) {
    for (const auto& [id, row] : outbox_) {
      if (row.request.idempotency_key == message.idempotency_key) {
        return AlreadyExists("idempotency key already used by outbound message " +
                             std::to_string(id));
      }
    }
  }
  if (conversations_.count(message.conversation_id) == 0) {
    return NotFound("conversation " + std::to_string(message.conversation_id) + " not found");
  }
  store::OutboundMessage row;
  row.id = next_id_++;
  row.request = message;
  row.created_ms = now_ms;
  row.next_attempt_ms = now_ms;
  outbox_[row.id] = row;
  transitions_.push_back(std::to_string(row.id) + ":pending");
  return row.id;
}

Result<std::vector<store::OutboundMessage>> FakeOutboxStore::DueOutbound(int64_t now_ms,
                                                                         size_t limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<store::OutboundMessage> due;
  for (const auto& [id, row] : outbox_) {
    if (due.size() >= limit) break;
    if (row.state == OutboxState::kPending && row.next_attempt_ms <= now_ms) due.push_back(row);
  }
  return due;
}

Status FakeOutboxStore::Move(int64_t id, std::initializer_list<OutboxState> from, OutboxState to) {
  auto it = outbox_.find(id);
  if (it == outbox_.end()) return NotFound("outbound message " + std::to_string(id));
  if (std::find(from.begin(), from.end(), it->second.state) == from.end()) {
    return FailedPrecondition("outbound message " + std::to_string(id) + " is not in a state " +
                              "that allows this move");
  }
  it->second.state = to;
  static const char* kNames[] = {"pending", "sending", "sent", "failed"};
  transitions_.push_back(std::to_string(id) + ":" + kNames[static_cast<int>(to)]);
  return Status::Ok();
}

Status FakeOutboxStore::MarkOutboundSending(int64_t id, int64_t) {
  std::lock_guard<std::mutex> lock(mutex_);
  Status moved = Move(id, {OutboxState::kPending}, OutboxState::kSending);
  if (moved.ok()) ++outbox_[id].attempts;
  return moved;
}

Status FakeOutboxStore::MarkOutboundSent(int64_t id, const std::string& platform_message_id,
                                         int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!mark_sent_failures_.empty()) {
    Status failure = mark_sent_failures_.front();
    mark_sent_failures_.pop_front();
    return failure;
  }
  Status moved = Move(id, {OutboxState::kSending}, OutboxState::kSent);
  if (moved.ok()) {
    outbox_[id].platform_message_id = platform_message_id;
    outbox_[id].sent_ms = now_ms;
  }
  return moved;
}

Status FakeOutboxStore::MarkOutboundRetry(int64_t id, int64_t next_attempt_ms,
                                          const store::OutboundError& error, int64_t) {
  std::lock_guard<std::mutex> lock(mutex_);
  Status moved = Move(id, {OutboxState::kSending}, OutboxState::kPending);
  if (moved.ok()) {
    outbox_[id].next_attempt_ms = next_attempt_ms;
    outbox_[id].last_error = error;
  }
  return moved;
}

Status FakeOutboxStore::MarkOutboundFailed(int64_t id, const store::OutboundError& error, int64_t) {
  std::lock_guard<std::mutex> lock(mutex_);
  Status moved = Move(id, {OutboxState::kSending, OutboxState::kPending}, OutboxState::kFailed);
  if (moved.ok()) outbox_[id].last_error = error;
  return moved;
}

Result<int64_t> FakeOutboxStore::RecoverOutbound(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t count = 0;
  for (auto& [id, row] : outbox_) {
    if (row.state != OutboxState::kSending) continue;
    row.state = OutboxState::kPending;
    row.possible_duplicate = true;
    row.next_attempt_ms = now_ms;
    transitions_.push_back(std::to_string(id) + ":pending");
    ++count;
  }
  return count;
}

Result<std::optional<store::OutboundMessage>> FakeOutboxStore::GetOutbound(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = outbox_.find(id);
  if (it == outbox_.end()) return std::optional<store::OutboundMessage>();
  return std::optional<store::OutboundMessage>(it->second);
}

Result<std::vector<store::OutboundMessage>> FakeOutboxStore::ListOutbound(int64_t conversation_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<store::OutboundMessage> rows;
  for (const auto& [id, row] : outbox_) {
    if (row.request.conversation_id == conversation_id) rows.push_back(row);
  }
  return rows;
}

Result<std::optional<store::Conversation>> FakeOutboxStore::GetConversation(
    int64_t conversation_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = conversations_.find(conversation_id);
  if (it == conversations_.end()) return std::optional<store::Conversation>();
  return std::optional<store::Conversation>(it->second);
}

Result<std::optional<store::Contact>> FakeOutboxStore::GetContact(int64_t contact_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) return std::optional<store::Contact>();
  return std::optional<store::Contact>(it->second);
}

Result<std::vector<store::StoredEvent>> FakeOutboxStore::ListEvents(
    const store::EventQuery& query) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<store::StoredEvent> out;
  for (const store::StoredEvent& stored : events_) {
    if (out.size() >= query.limit) break;
    if (stored.id <= query.after_id) continue;
    if (query.conversation_id && stored.conversation_id != *query.conversation_id) continue;
    if (query.kind && stored.event.kind != *query.kind) continue;
    out.push_back(stored);
  }
  return out;
}

std::vector<std::string> FakeOutboxStore::Transitions() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return transitions_;
}

void ScriptedGraphClient::Push(Result<channels::GraphResponse> answer) {
  std::lock_guard<std::mutex> lock(mutex_);
  script_.push_back(std::move(answer));
}

channels::GraphResponse ScriptedGraphClient::Error(int http_status, int64_t code,
                                                   int64_t retry_after_ms) {
  channels::GraphResponse response;
  response.http_status = http_status;
  response.error = channels::GraphError{"scripted error " + std::to_string(code), "OAuthException",
                                        code, 0, "trace"};
  response.retry_after_ms = retry_after_ms;
  return response;
}

void ScriptedGraphClient::Block(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  blocked_path_ = path;
}

void ScriptedGraphClient::Release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    blocked_path_.clear();
  }
  released_.notify_all();
}

Result<channels::GraphResponse> ScriptedGraphClient::Call(const channels::GraphCall& call,
                                                          std::string_view token) {
  std::unique_lock<std::mutex> lock(mutex_);
  released_.wait(lock, [&] { return blocked_path_.empty() || blocked_path_ != call.path; });
  calls_.push_back({call, std::string(token)});
  if (!script_.empty()) {
    Result<channels::GraphResponse> answer = script_.front();
    script_.pop_front();
    return answer;
  }
  channels::GraphResponse ok;
  ok.http_status = 200;
  ok.body = R"({"recipient_id":"R","message_id":"m_)" + std::to_string(calls_.size()) + R"("})";
  return ok;
}

std::vector<RecordedCall> ScriptedGraphClient::Calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return calls_;
}

}  // namespace atalaya::testing
