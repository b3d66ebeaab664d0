#pragma once
// Store: everything atalaya keeps — the inbox of raw webhook deliveries, normalized events,
// contacts and conversations, delivery states — behind one interface with one implementation
// per engine (SQLite now, PostgreSQL later).
//
// Threads: every method is safe to call from any thread. Writes go through one writer that
// batches concurrent requests into one transaction (group commit): a write call returns only
// when its transaction is durable (or failed). Reads use their own connections and never wait
// for the writer.
//
// Errors: kUnavailable — the writer is over its queue limit or a commit took longer than the
// configured deadline (the caller answers 503; the platform retries, and the inbox dedup
// acknowledges a retry of a row that did land). kResourceExhausted — the disk is full (or the
// configured size cap is reached); reads keep working. kInvalidArgument — a caller broke a
// documented precondition. kNotFound — CommitIngest named an inbox row that does not exist,
// or an outbox call an unknown message or conversation. kAlreadyExists — Backup's destination
// exists, or an outbox idempotency key was used before. kFailedPrecondition — at open, the
// database was written by a newer atalaya; an outbox move from the wrong state; a second
// private reply to one comment. kInternal — anything else the engine reported (message
// carries the engine's text).
//
// Contacts and conversations may be merged (one person found under two ids): the merged
// row's id keeps resolving, through GetContact/GetConversation, to the surviving one.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/decision.h"
#include "common/event.h"
#include "common/status.h"
#include "store/media.h"
#include "store/outbox.h"

namespace atalaya::store {

// One accepted HTTP delivery of a webhook, exactly as received.
struct InboxDelivery {
  std::string route;  // the webhook route it came to: "whatsapp", "messenger", "instagram", "meta"
  std::string body;   // raw bytes
  int64_t received_ms = 0;
};

enum class AppendOutcome { kStored, kDuplicate };

struct InboxRow {
  int64_t id = 0;
  std::string route;
  std::string body;
  int64_t received_ms = 0;
};

// What one ingest transaction did.
struct IngestOutcome {
  int events_stored = 0;
  int events_duplicate = 0;  // already stored from an earlier (re-batched) delivery
  int statuses_applied = 0;  // moved an outbound message's delivery state forward
  int statuses_pending = 0;  // for a message id not known yet; applied when it appears
  int outbound_queued = 0;   // IngestItem::outbound rows written to the outbox
  int outbound_skipped = 0;  // tied to an event that was a duplicate: queued back then
};

// One inbox row's normalized events, for CommitIngestBatch.
struct IngestItem {
  int64_t inbox_id = 0;
  std::vector<Event> events;
  // Empty, or one per event (same order): the rules' decision stored beside the event, in
  // queryable columns (filter action and reason, kind, topic, priority, queue, influence)
  // plus the whole decision JSON with its rule-set version.
  std::vector<std::optional<Decision>> decisions;
  // Empty, or one per event: the duplicate key of the event's text (rules::TextKey), so
  // HasRecentText can answer "did this author send this text lately".
  std::vector<std::string> text_keys;
  // Outbound messages the decisions caused, written in the same transaction (the outbox).
  // Each one's conversation is resolved from the event at `event_index` when
  // conversation_id is 0. One tied (event_index) to an event that turns out a duplicate is
  // skipped and counted in outbound_skipped: that event's first delivery queued it. Any
  // outbox error (see EnqueueOutbound), an event_index out of range, or an event with no
  // conversation fails the whole item (events included), never the other items.
  std::vector<NewOutbound> outbound;
};

// A stored event with the internal ids the store assigned.
struct StoredEvent {
  int64_t id = 0;
  int64_t inbox_id = 0;
  int64_t contact_id = 0;       // 0 when the event has no author (e.g. a status)
  int64_t conversation_id = 0;  // 0 when not part of a conversation
  Event event;
  std::optional<Decision> decision;  // the rules' decision stored with it, if any
};

struct EventQuery {
  std::optional<Channel> channel;
  std::optional<EventKind> kind;
  std::optional<Direction> direction;
  std::optional<int64_t> contact_id;
  std::optional<int64_t> conversation_id;
  std::string dedup_key;  // exact match when not empty
  int64_t after_id = 0;   // events with id > after_id, ascending
  size_t limit = 100;
};

struct ContactIdentity {
  Channel channel = Channel::kWhatsApp;
  std::string kind;  // "bsuid", "wa_id", "psid", "igsid", ...
  std::string external_id;
};

struct Contact {
  int64_t id = 0;
  std::string name;
  std::string phone;  // optional attribute; personal data
  std::vector<ContactIdentity> identities;
  int64_t created_ms = 0;
};

struct Conversation {
  int64_t id = 0;
  Channel channel = Channel::kWhatsApp;
  std::string account_id;
  int64_t contact_id = 0;  // private thread: (account, contact)
  std::string thread_id;   // public thread: the post id (issue 4)
  Visibility visibility = Visibility::kPrivate;
  int64_t last_inbound_ms = 0;  // the customer's last message, for the 24 h windows
};

// Delivery state of an outbound message, as platform status webhooks reported it.
struct DeliveryState {
  std::string message_id;
  DeliveryStatus status = DeliveryStatus::kNone;
  int64_t error_code = 0;
  std::string error_title;
  std::string error_detail;
  int64_t updated_ms = 0;
};

// --- Instagram mentions that arrived as ids only ---
// CommitIngest gives every such event (see AwaitsMentionText) a row in kPending; the mention
// enricher fetches its text through the Graph API and moves it to one of the final states.
enum class MentionState {
  kPending,        // waiting for (another) Graph call
  kEnriched,       // text and author fetched and stored on the event
  kFailed,         // a permanent error, or transient ones until the retries ran out; ids kept
  kNotConfigured,  // no Graph token for the account: no call made; ids kept
};
const char* MentionStateName(MentionState state);  // "pending", "enriched", ...
std::optional<MentionState> ParseMentionState(std::string_view name);

// An Instagram mention stored with its ids only (inbound, no text): its text is fetched later.
bool AwaitsMentionText(const Event& event);

struct MentionEnrichment {
  int64_t event_id = 0;
  MentionState state = MentionState::kPending;
  int attempts = 0;             // Graph calls made so far
  int64_t next_attempt_ms = 0;  // kPending: not before this time
  std::string reason;           // kFailed/kNotConfigured: why; kPending: the last error, if any
  int64_t updated_ms = 0;
};

struct DueMention {
  StoredEvent stored;
  MentionEnrichment enrichment;
};

// The end of one mention's enrichment, written in one transaction: the fetched fields on the
// event (kEnriched only), the rules' decision and text key beside it, and the final state.
struct MentionOutcome {
  int64_t event_id = 0;
  MentionState state = MentionState::kEnriched;  // kEnriched, kFailed or kNotConfigured
  int attempts = 0;
  std::string reason;  // kFailed / kNotConfigured: why
  // kEnriched: what the Graph API said; an empty handle or a zero time keeps the stored one.
  std::string text;
  std::string author_handle;
  int64_t timestamp_ms = 0;
  std::optional<Decision> decision;  // nullopt: stored without one (no rule set)
  std::string text_key;              // rules::TextKey of the text; "" = none
};

struct InboxBacklog {
  int64_t rows = 0;                // accepted but not yet normalized
  int64_t oldest_received_ms = 0;  // received_ms of the oldest of them; 0 when none
};

struct InboxStats {
  int64_t backlog = 0;            // rows accepted but not yet normalized
  int64_t oldest_backlog_ms = 0;  // received_ms of the oldest of them; 0 when none
  int64_t total = 0;              // every delivery kept (its row, or its dedup key)
};

// A batch of ingest items being committed (Store::StartIngestBatch).
class PendingIngest {
 public:
  virtual ~PendingIngest() = default;
  // Blocks until every item is committed or failed; one result per item, in order, as
  // CommitIngestBatch returns them. Call it once.
  virtual std::vector<Result<IngestOutcome>> Wait() = 0;
};

// Counters of the group-commit writer, for /metrics and the benchmark.
struct WriterStats {
  int64_t commits = 0;
  int64_t rows = 0;  // write requests committed
  int64_t failed_commits = 0;
  int64_t rejected_overload = 0;  // refused at once: queue over its limit
  int64_t timed_out = 0;          // caller gave up waiting past the commit deadline
  int64_t queue_depth = 0;        // waiting now
  int64_t commit_ns_sum = 0;
  // Commit latency histogram, cumulative like Prometheus' `le` buckets: commit_buckets[i]
  // counts commits that took <= kCommitBucketsMs[i]; `commits` is the +Inf bucket.
  static constexpr int kBuckets = 10;
  static constexpr double kCommitBucketsMs[kBuckets] = {0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000};
  int64_t commit_buckets[kBuckets] = {};
  int64_t last_progress_ms = 0;     // wall time of the last successful commit (watchdog)
  int64_t wal_restarts = 0;         // the writer reset a long WAL to its start
  int64_t wal_restarts_missed = 0;  // ...or could not: a reader or checkpoint still used it
};

enum class Synchronous { kFull, kNormal };

struct SqliteOptions {
  std::string path;  // the database file; its folder must exist
  Synchronous synchronous = Synchronous::kFull;
  size_t max_waiting_writes = 4096;  // more queued writes than this → kUnavailable at once
  int64_t commit_timeout_ms = 5000;  // a writer slower than this → kUnavailable
  size_t max_batch = 1024;           // write requests per transaction at most
  // Cap on the database size in bytes (0 = none). At the cap writes fail with
  // kResourceExhausted exactly as on a full disk, so operators can reserve room for the rest
  // of the machine (and tests can fill a "disk" quickly).
  int64_t max_size_bytes = 0;
  // Dedup keys of unprocessed inbox rows held in memory (about 100 bytes each); past this, an
  // acknowledgement also writes its key to disk, which costs it about a third more.
  size_t max_pending_keys = 200'000;
};

class Store {
 public:
  virtual ~Store() = default;

  // Durably appends one delivery, keyed by the SHA-256 of its body: an identical body already
  // in the inbox returns kDuplicate and stores nothing. Returns once durable.
  // Taken by value: the body moves into the writer's work instead of being copied again.
  virtual Result<AppendOutcome> AppendInbox(InboxDelivery delivery) = 0;

  // Inbox rows not yet normalized, ascending by id, with id > after_id.
  virtual Result<std::vector<InboxRow>> PendingInbox(int64_t after_id, size_t limit) = 0;

  // In one transaction: stores every event (unique on (channel, dedup_key): a duplicate is
  // counted, not stored), creates or merges the contacts and conversations they name,
  // applies status updates forward-only, and marks the inbox row processed. Calling it again
  // for the same row (a re-run after a crash) stores nothing twice. An event with an empty
  // dedup_key is keyed "inbox:<inbox_id>:<index>" (stable for that row, but a re-batched
  // retry of it cannot be recognized: parsers should always set a key). kNotFound when the
  // inbox row does not exist; then nothing is written.
  virtual Result<IngestOutcome> CommitIngest(int64_t inbox_id, const std::vector<Event>& events,
                                             int64_t now_ms) = 0;

  // CommitIngest for several inbox rows at once: each item is applied as CommitIngest would
  // (one item's failure, e.g. kNotFound, fails only that item), but they are committed
  // together, one fsync for many rows — what lets the ingest worker drain a backlog fast
  // under synchronous=FULL. Returns one result per item, in order. The default
  // commits them one by one, for stores with nothing better to do.
  virtual std::vector<Result<IngestOutcome>> CommitIngestBatch(const std::vector<IngestItem>& items,
                                                               int64_t now_ms) {
    std::vector<Result<IngestOutcome>> results;
    results.reserve(items.size());
    for (const IngestItem& item : items) {
      results.push_back(CommitIngest(item.inbox_id, item.events, now_ms));
    }
    return results;
  }

  // CommitIngestBatch without waiting for it: returns at once, so the caller can prepare its
  // next items while these commit, and Wait() on the result gives what CommitIngestBatch
  // would have returned. The default commits before it returns, for stores with nothing
  // better to do.
  virtual std::unique_ptr<PendingIngest> StartIngestBatch(std::vector<IngestItem> items,
                                                          int64_t now_ms);

  // Records an outbound message's platform id so delivery statuses attach to it; statuses
  // that arrived before it are applied now. Recording the same id again changes nothing.
  virtual Status RecordOutbound(Channel channel, const std::string& message_id,
                                int64_t conversation_id, int64_t now_ms) = 0;

  virtual Result<std::vector<StoredEvent>> ListEvents(const EventQuery& query) = 0;
  virtual Result<std::optional<StoredEvent>> GetEvent(int64_t event_id) = 0;
  // Whether `author_id` (an event's author.id) sent a message with this text key on `channel`
  // at a time t with since_ms <= t <= until_ms (the rules' duplicate filter). An empty
  // author or key matches nothing.
  virtual Result<bool> HasRecentText(Channel channel, const std::string& author_id,
                                     const std::string& text_key, int64_t since_ms,
                                     int64_t until_ms) = 0;

  // --- The outbox (see store/outbox.h for the life of a message) ---
  // Queues one message; returns its id. kAlreadyExists when `idempotency_key` was used before
  // (the existing id is in the message), kNotFound for an unknown conversation,
  // kFailedPrecondition for a second private reply to the same comment (a failed one does
  // not count), kInvalidArgument for conversation_id 0, an empty kind, or a channel that is
  // not the conversation's. A merged conversation's id is followed to the surviving one.
  virtual Result<int64_t> EnqueueOutbound(const NewOutbound& message, int64_t now_ms) = 0;
  // Messages in kPending whose next attempt is due (next_attempt_ms <= now_ms; a new
  // message's is its enqueue time), by next attempt time, then id.
  virtual Result<std::vector<OutboundMessage>> DueOutbound(int64_t now_ms, size_t limit) = 0;
  // kPending → kSending, attempts + 1, durably BEFORE the request leaves: a crash after this
  // leaves the row in kSending, which RecoverOutbound flags as a possible duplicate.
  virtual Status MarkOutboundSending(int64_t id, int64_t now_ms) = 0;
  // kSending → kSent with the platform's message id (delivery statuses then attach to it, as
  // RecordOutbound does, including those that arrived first; Messenger watermark receipts
  // reach it through (account_id, recipient_id) and sent_ms). An empty id: kInvalidArgument.
  virtual Status MarkOutboundSent(int64_t id, const std::string& platform_message_id,
                                  int64_t now_ms) = 0;
  // The Mark* moves check the current state: kNotFound "outbound message 7 does not exist",
  // kFailedPrecondition "outbound message 7 is sent, not sending" (nothing changes).
  // kSending → kPending with the next attempt time and the last error (transient failure).
  virtual Status MarkOutboundRetry(int64_t id, int64_t next_attempt_ms, const OutboundError& error,
                                   int64_t now_ms) = 0;
  // kSending/kPending → kFailed with the platform's (or our own) code and message.
  virtual Status MarkOutboundFailed(int64_t id, const OutboundError& error, int64_t now_ms) = 0;
  // At start: every kSending row (its request may or may not have reached the platform)
  // goes back to kPending with possible_duplicate = true. Returns how many.
  virtual Result<int64_t> RecoverOutbound(int64_t now_ms) = 0;
  virtual Result<std::optional<OutboundMessage>> GetOutbound(int64_t id) = 0;
  // A conversation's messages by id (a merged conversation's id lists the surviving one's);
  // empty for an unknown conversation.
  virtual Result<std::vector<OutboundMessage>> ListOutbound(int64_t conversation_id) = 0;

  // --- Media downloads (see store/media.h for the life of one) ---
  // Attachments in kPending whose next attempt is due (next_attempt_ms <= now_ms; a new
  // one's is its ingest time), by next attempt time, then event id and position.
  virtual Result<std::vector<MediaDownload>> DueMedia(int64_t now_ms, size_t limit) = 0;
  // The Mark* moves are made from kPending only: kNotFound "media 7/0 does not exist",
  // kFailedPrecondition "media 7/0 is stored, not pending" (nothing changes). Each counts
  // one attempt.
  // kPending → kStored with the file written (its name must not be empty: kInvalidArgument).
  virtual Status MarkMediaStored(int64_t event_id, int position, const StoredMedia& stored,
                                 int64_t now_ms) = 0;
  // Stays kPending, due again at next_attempt_ms, with the transient error kept.
  virtual Status MarkMediaRetry(int64_t event_id, int position, int64_t next_attempt_ms,
                                const MediaError& error, int64_t now_ms) = 0;
  // kPending → kFailed with the reason (an empty reason: kInvalidArgument).
  virtual Status MarkMediaFailed(int64_t event_id, int position, const MediaError& error,
                                 int64_t now_ms) = 0;
  // One attachment's download; nullopt when the event or position is unknown, or the
  // attachment had nothing to fetch.
  virtual Result<std::optional<MediaDownload>> GetMedia(int64_t event_id, int position) = 0;

  virtual Result<std::optional<Contact>> FindContact(Channel channel,
                                                     const std::string& external_id) = 0;
  virtual Result<std::optional<Contact>> GetContact(int64_t contact_id) = 0;
  virtual Result<std::optional<Conversation>> GetConversation(int64_t conversation_id) = 0;
  virtual Result<std::optional<DeliveryState>> GetDelivery(Channel channel,
                                                           const std::string& message_id) = 0;
  // What /metrics reads at every scrape: its cost follows the backlog, never the inbox's
  // history (GetInboxStats counts every key kept, for tools and tests).
  virtual Result<InboxBacklog> GetInboxBacklog() = 0;
  virtual Result<InboxStats> GetInboxStats(int64_t now_ms) = 0;

  // --- Mention enrichment (see MentionState) ---
  // Mentions in kPending whose next attempt is due (next_attempt_ms <= now_ms), oldest due
  // first, each with its stored event.
  virtual Result<std::vector<DueMention>> DueMentions(int64_t now_ms, size_t limit) = 0;
  // Applies `outcome` (see MentionOutcome). kNotFound "event 7 has no mention enrichment";
  // kFailedPrecondition "mention of event 7 is enriched, not pending" (nothing changes);
  // kInvalidArgument for kPending as a final state.
  virtual Status FinishMention(const MentionOutcome& outcome, int64_t now_ms) = 0;
  // Stays kPending, with the attempts made, the next attempt time and the last error.
  // The same errors as FinishMention.
  virtual Status RetryMention(int64_t event_id, int attempts, int64_t next_attempt_ms,
                              const std::string& reason, int64_t now_ms) = 0;
  virtual Result<std::optional<MentionEnrichment>> GetMentionEnrichment(int64_t event_id) = 0;

  // Deletes raw bodies of processed inbox rows older than keep_body_days, and whole rows
  // (their dedup keys) older than keep_key_days — but never a row whose body is still within
  // keep_body_days, so a row goes after max(keep_body_days, keep_key_days). Unprocessed rows
  // are never pruned. Statuses still waiting for their message (see RecordOutbound) go after
  // the same window. Works in short slices, so writes interleave with a long prune. Returns
  // the number of bodies pruned. Negative days → kInvalidArgument.
  virtual Result<int64_t> Prune(int64_t now_ms, int keep_body_days, int keep_key_days) = 0;

  // A consistent copy of the whole database into a new file, while serving (VACUUM INTO on a
  // reader connection). An existing destination is refused with kAlreadyExists.
  virtual Status Backup(const std::string& destination_path) = 0;

  virtual WriterStats GetWriterStats() const = 0;

  // False while the writer is failing, stalled past the commit deadline or over its queue
  // limit: /readyz reports it so a load balancer stops sending.
  virtual bool Healthy() const = 0;
};

// A consistent copy of the database file at `database_path` into a new file, from another
// process while a daemon serves it. Refuses an existing destination.
Status BackupSqliteFile(const std::string& database_path, const std::string& destination_path);

// Opens (creating if absent) the database and applies pending numbered migrations.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace atalaya::store
