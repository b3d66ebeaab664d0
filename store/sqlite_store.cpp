// The SQLite engine behind Store: one GroupCommitWriter for every change, a ReaderPool for
// every read. The contract (threads, errors) is written in store.h.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "common/crypto.h"
#include "store/checkpointer.h"
#include "store/contacts.h"
#include "store/conversations.h"
#include "store/deliveries.h"
#include "store/event_rows.h"
#include "store/group_commit_writer.h"
#include "store/inbox_backlog.h"
#include "store/inbox_keys.h"
#include "store/ingest.h"
#include "store/media_rows.h"
#include "store/mention_rows.h"
#include "store/migrations.h"
#include "store/outbox_rows.h"
#include "store/reader_pool.h"
#include "store/sqlite_error.h"
#include "store/store.h"

namespace atalaya::store {
namespace {

// How long one BEGIN waits for a lock held by another process before the writer checks on
// its callers and tries again.
constexpr int kWriterBusyTimeoutMs = 100;
constexpr int64_t kMsPerDay = 24 * 60 * 60 * 1000;
// The checkpointer's pace: often enough that the WAL stays a few MB under full load.
constexpr auto kCheckpointInterval = std::chrono::milliseconds(200);
// A WAL longer than this (4 MB of 4 KiB pages) after a checkpoint is reset by the writer.
constexpr int kWalRestartFrames = 1024;
// Inbox ids pruned per write request: small enough to keep each one short (a few ms).
constexpr int64_t kPruneSliceIds = 1000;

int64_t WallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Runs `fn` as one unit of the writer's batch and maps its exceptions with `doing` as context.
template <typename Fn>
GroupCommitWriter::Work Guarded(std::string doing, Fn fn) {
  return [doing = std::move(doing), fn = std::move(fn)](Connection& conn) -> Status {
    try {
      return fn(conn);
    } catch (const std::exception& e) {
      return StatusFromException(e, doing);
    }
  };
}

// ApplyIngest, then the row's dedup key into inbox_keys, in the same unit. `key` gets
// the key, for PendingInboxKeys::Forget once committed.
Status ApplyIngestAndIndexKey(Connection& conn, const IngestItem& item, int64_t now_ms,
                              IngestOutcome& outcome, std::string& key) {
  if (Status applied = ApplyIngest(conn, item, now_ms, outcome); !applied.ok()) return applied;
  Result<std::string> indexed = IndexInboxKey(conn, item.inbox_id);
  if (!indexed.ok()) return indexed.status();
  key = *std::move(indexed);
  return Status::Ok();
}

// One item of an ingest batch, shared by its work (on the writer) and its PendingIngest.
struct IngestUnit {
  IngestItem item;
  IngestOutcome outcome;
  std::string key;  // the row's dedup key, filled by the work
};

class SqlitePendingIngest final : public PendingIngest {
 public:
  SqlitePendingIngest(GroupCommitWriter& writer, PendingInboxKeys& pending_keys,
                      GroupCommitWriter::Ticket ticket,
                      std::vector<std::shared_ptr<IngestUnit>> units)
      : writer_(writer),
        pending_keys_(pending_keys),
        ticket_(std::move(ticket)),
        units_(std::move(units)) {}
  // Unwaited, the keys of committed rows would stay in the pending keys until a restart.
  ~SqlitePendingIngest() override {
    if (!waited_) Wait();
  }

  std::vector<Result<IngestOutcome>> Wait() override {
    if (waited_) return {};
    waited_ = true;
    const std::vector<Status> statuses = writer_.Wait(std::move(ticket_));
    std::vector<Result<IngestOutcome>> results;
    results.reserve(units_.size());
    for (size_t i = 0; i < units_.size(); ++i) {
      if (statuses[i].ok()) {
        pending_keys_.Forget(units_[i]->key, units_[i]->item.inbox_id);
        results.emplace_back(units_[i]->outcome);
      } else {
        results.emplace_back(statuses[i]);
      }
    }
    return results;
  }

 private:
  GroupCommitWriter& writer_;
  PendingInboxKeys& pending_keys_;
  GroupCommitWriter::Ticket ticket_;
  std::vector<std::shared_ptr<IngestUnit>> units_;
  bool waited_ = false;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Connection> writer, std::unique_ptr<PendingInboxKeys> pending_keys,
              const SqliteOptions& options)
      : readers_(options.path),
        checkpointer_(options.path, kCheckpointInterval, &wal_restart_, kWalRestartFrames),
        pending_keys_(std::move(pending_keys)),
        writer_(std::move(writer),
                GroupCommitWriter::Options{options.max_waiting_writes, options.commit_timeout_ms,
                                           options.max_batch, &wal_restart_}) {}

  Result<AppendOutcome> AppendInbox(InboxDelivery delivery) override {
    if (delivery.route.empty()) return InvalidArgument("inbox delivery has no route");
    if (delivery.body.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
      return InvalidArgument("inbox delivery body is larger than 2 GiB");
    }
    // Hashing here, on the caller's thread, keeps the writer thread for SQL only.
    std::string sha256 = Sha256(delivery.body);
    auto outcome = std::make_shared<AppendOutcome>(AppendOutcome::kStored);
    auto append = [this, outcome, sha256 = std::move(sha256),
                   delivery = std::move(delivery)](Connection& conn) -> Status {
      Result<AppendOutcome> appended = AppendInboxRow(conn, *pending_keys_, sha256, delivery);
      if (!appended.ok()) return appended.status();
      *outcome = *appended;
      return Status::Ok();
    };
    Status status = writer_.Submit(Guarded("append inbox", std::move(append)));
    if (!status.ok()) return status;
    return *outcome;
  }

  Result<std::vector<InboxRow>> PendingInbox(int64_t after_id, size_t limit) override {
    return readers_.Read("read pending inbox", [&](Connection& conn) {
      Statement select = conn.Prepare(
          "SELECT id, route, body, received_ms FROM inbox "
          "WHERE processed_ms IS NULL AND id > ? ORDER BY id LIMIT ?");
      select->bind(1, after_id);
      select->bind(2, static_cast<int64_t>(limit));
      std::vector<InboxRow> rows;
      while (select->executeStep()) {
        InboxRow row;
        row.id = select->getColumn(0).getInt64();
        row.route = select->getColumn(1).getString();
        row.body = select->getColumn(2).getString();
        row.received_ms = select->getColumn(3).getInt64();
        rows.push_back(std::move(row));
      }
      return rows;
    });
  }

  Result<IngestOutcome> CommitIngest(int64_t inbox_id, const std::vector<Event>& events,
                                     int64_t now_ms) override {
    auto outcome = std::make_shared<IngestOutcome>();
    auto key = std::make_shared<std::string>();
    Status status = writer_.Submit(
        Guarded("commit ingest", [outcome, key, inbox_id, events, now_ms](Connection& conn) {
          IngestItem item;
          item.inbox_id = inbox_id;
          item.events = events;
          return ApplyIngestAndIndexKey(conn, item, now_ms, *outcome, *key);
        }));
    if (!status.ok()) return status;
    pending_keys_->Forget(*key, inbox_id);
    return *outcome;
  }

  std::vector<Result<IngestOutcome>> CommitIngestBatch(const std::vector<IngestItem>& items,
                                                       int64_t now_ms) override {
    return StartIngestBatch(items, now_ms)->Wait();
  }

  std::unique_ptr<PendingIngest> StartIngestBatch(std::vector<IngestItem> items,
                                                  int64_t now_ms) override {
    std::vector<std::shared_ptr<IngestUnit>> units;
    std::vector<GroupCommitWriter::Work> works;
    for (IngestItem& item : items) {
      auto unit = std::make_shared<IngestUnit>();
      unit->item = std::move(item);
      works.push_back(Guarded("commit ingest", [unit, now_ms](Connection& conn) {
        return ApplyIngestAndIndexKey(conn, unit->item, now_ms, unit->outcome, unit->key);
      }));
      units.push_back(std::move(unit));
    }
    GroupCommitWriter::Ticket ticket = writer_.Enqueue(std::move(works));
    return std::make_unique<SqlitePendingIngest>(writer_, *pending_keys_, std::move(ticket),
                                                 std::move(units));
  }

  Status RecordOutbound(Channel channel, const std::string& message_id, int64_t conversation_id,
                        int64_t now_ms) override {
    if (message_id.empty()) return InvalidArgument("outbound message id is empty");
    return writer_.Submit(Guarded(
        "record outbound", [channel, message_id, conversation_id, now_ms](Connection& conn) {
          RecordDelivery(conn, channel, message_id, conversation_id, now_ms);
          return Status::Ok();
        }));
  }

  Result<std::vector<StoredEvent>> ListEvents(const EventQuery& query) override {
    return readers_.Read("list events", [&](Connection& conn) { return QueryEvents(conn, query); });
  }

  Result<std::optional<StoredEvent>> GetEvent(int64_t event_id) override {
    return readers_.Read("get event", [&](Connection& conn) { return LoadEvent(conn, event_id); });
  }

  Result<bool> HasRecentText(Channel channel, const std::string& author_id,
                             const std::string& text_key, int64_t since_ms,
                             int64_t until_ms) override {
    if (author_id.empty() || text_key.empty()) return false;  // nothing to match on
    return readers_.Read("look up recent text", [&](Connection& conn) {
      return HasText(conn, channel, author_id, text_key, since_ms, until_ms);
    });
  }

  Result<int64_t> EnqueueOutbound(const NewOutbound& message, int64_t now_ms) override {
    if (message.conversation_id <= 0) {
      return InvalidArgument("outbound message names no conversation");
    }
    auto id = std::make_shared<int64_t>(0);
    Status status =
        writer_.Submit(Guarded("enqueue outbound", [id, message, now_ms](Connection& conn) {
          Result<int64_t> inserted = InsertOutbound(conn, message, message.conversation_id, now_ms);
          if (!inserted.ok()) return inserted.status();
          *id = *inserted;
          return Status::Ok();
        }));
    if (!status.ok()) return status;
    return *id;
  }

  Result<std::vector<OutboundMessage>> DueOutbound(int64_t now_ms, size_t limit) override {
    return readers_.Read("read due outbound",
                         [&](Connection& conn) { return LoadDueOutbound(conn, now_ms, limit); });
  }

  Status MarkOutboundSending(int64_t id, int64_t now_ms) override {
    return writer_.Submit(Guarded("mark outbound sending", [id, now_ms](Connection& conn) {
      return MarkSending(conn, id, now_ms);
    }));
  }

  Status MarkOutboundSent(int64_t id, const std::string& platform_message_id,
                          int64_t now_ms) override {
    return writer_.Submit(
        Guarded("mark outbound sent", [id, platform_message_id, now_ms](Connection& conn) {
          return MarkSent(conn, id, platform_message_id, now_ms);
        }));
  }

  Status MarkOutboundRetry(int64_t id, int64_t next_attempt_ms, const OutboundError& error,
                           int64_t now_ms) override {
    return writer_.Submit(
        Guarded("mark outbound retry", [id, next_attempt_ms, error, now_ms](Connection& conn) {
          return MarkRetry(conn, id, next_attempt_ms, error, now_ms);
        }));
  }

  Status MarkOutboundFailed(int64_t id, const OutboundError& error, int64_t now_ms) override {
    return writer_.Submit(Guarded("mark outbound failed", [id, error, now_ms](Connection& conn) {
      return MarkFailed(conn, id, error, now_ms);
    }));
  }

  Result<int64_t> RecoverOutbound(int64_t now_ms) override {
    auto recovered = std::make_shared<int64_t>(0);
    Status status =
        writer_.Submit(Guarded("recover outbound", [recovered, now_ms](Connection& conn) {
          *recovered = RecoverSending(conn, now_ms);
          return Status::Ok();
        }));
    if (!status.ok()) return status;
    return *recovered;
  }

  Result<std::optional<OutboundMessage>> GetOutbound(int64_t id) override {
    return readers_.Read("get outbound", [&](Connection& conn) { return LoadOutbound(conn, id); });
  }

  Result<std::vector<OutboundMessage>> ListOutbound(int64_t conversation_id) override {
    return readers_.Read("list outbound", [&](Connection& conn) {
      // A merged thread's messages moved to the surviving one.
      const std::optional<Conversation> conversation = LoadConversation(conn, conversation_id);
      if (!conversation) return std::vector<OutboundMessage>{};
      return LoadConversationOutbound(conn, conversation->id);
    });
  }

  Result<std::vector<MediaDownload>> DueMedia(int64_t now_ms, size_t limit) override {
    return readers_.Read("read due media",
                         [&](Connection& conn) { return LoadDueMedia(conn, now_ms, limit); });
  }

  Status MarkMediaStored(int64_t event_id, int position, const StoredMedia& stored,
                         int64_t now_ms) override {
    return writer_.Submit(
        Guarded("mark media stored", [event_id, position, stored, now_ms](Connection& conn) {
          return MarkMediaStoredRow(conn, event_id, position, stored, now_ms);
        }));
  }

  Status MarkMediaRetry(int64_t event_id, int position, int64_t next_attempt_ms,
                        const MediaError& error, int64_t now_ms) override {
    return writer_.Submit(Guarded(
        "mark media retry", [event_id, position, next_attempt_ms, error, now_ms](Connection& conn) {
          return MarkMediaRetryRow(conn, event_id, position, next_attempt_ms, error, now_ms);
        }));
  }

  Status MarkMediaFailed(int64_t event_id, int position, const MediaError& error,
                         int64_t now_ms) override {
    return writer_.Submit(
        Guarded("mark media failed", [event_id, position, error, now_ms](Connection& conn) {
          return MarkMediaFailedRow(conn, event_id, position, error, now_ms);
        }));
  }

  Result<std::optional<MediaDownload>> GetMedia(int64_t event_id, int position) override {
    return readers_.Read("get media",
                         [&](Connection& conn) { return LoadMedia(conn, event_id, position); });
  }

  Result<std::optional<Contact>> FindContact(Channel channel,
                                             const std::string& external_id) override {
    return readers_.Read("find contact", [&](Connection& conn) {
      return LoadContactByIdentity(conn, channel, external_id);
    });
  }

  Result<std::optional<Contact>> GetContact(int64_t contact_id) override {
    return readers_.Read("get contact",
                         [&](Connection& conn) { return LoadContact(conn, contact_id); });
  }

  Result<std::optional<Conversation>> GetConversation(int64_t conversation_id) override {
    return readers_.Read("get conversation",
                         [&](Connection& conn) { return LoadConversation(conn, conversation_id); });
  }

  Result<std::optional<DeliveryState>> GetDelivery(Channel channel,
                                                   const std::string& message_id) override {
    return readers_.Read("get delivery",
                         [&](Connection& conn) { return LoadDelivery(conn, channel, message_id); });
  }

  Result<InboxBacklog> GetInboxBacklog() override {
    return readers_.Read("read inbox backlog", [](Connection& conn) { return ReadBacklog(conn); });
  }

  Result<InboxStats> GetInboxStats(int64_t /*now_ms*/) override {
    return readers_.Read("read inbox stats", [](Connection& conn) {
      const InboxBacklog backlog = ReadBacklog(conn);
      InboxStats stats;
      stats.backlog = backlog.rows;
      stats.oldest_backlog_ms = backlog.oldest_received_ms;
      stats.total = CountInboxRows(conn);
      return stats;
    });
  }

  Result<std::vector<DueMention>> DueMentions(int64_t now_ms, size_t limit) override {
    return readers_.Read("read due mentions",
                         [&](Connection& conn) { return LoadDueMentions(conn, now_ms, limit); });
  }

  Status FinishMention(const MentionOutcome& outcome, int64_t now_ms) override {
    return writer_.Submit(Guarded("finish mention", [outcome, now_ms](Connection& conn) {
      return ApplyMentionOutcome(conn, outcome, now_ms);
    }));
  }

  Status RetryMention(int64_t event_id, int attempts, int64_t next_attempt_ms,
                      const std::string& reason, int64_t now_ms) override {
    return writer_.Submit(Guarded(
        "retry mention", [event_id, attempts, next_attempt_ms, reason, now_ms](Connection& conn) {
          return ApplyMentionRetry(conn, event_id, attempts, next_attempt_ms, reason, now_ms);
        }));
  }

  Result<std::optional<MentionEnrichment>> GetMentionEnrichment(int64_t event_id) override {
    return readers_.Read("get mention enrichment",
                         [&](Connection& conn) { return LoadMentionEnrichment(conn, event_id); });
  }

  Result<int64_t> Prune(int64_t now_ms, int keep_body_days, int keep_key_days) override {
    if (keep_body_days < 0 || keep_key_days < 0) {
      return InvalidArgument("retention days must not be negative (bodies " +
                             std::to_string(keep_body_days) + ", keys " +
                             std::to_string(keep_key_days) + ")");
    }
    const int64_t body_cutoff = now_ms - keep_body_days * kMsPerDay;
    // A row goes only when both its body and its key windows are over.
    const int64_t row_cutoff = now_ms - std::max(keep_body_days, keep_key_days) * kMsPerDay;
    // The id range that can hold prunable rows: from the oldest row to the newest one
    // received before the body cutoff. received_ms is not indexed (every webhook would pay
    // for it); ids grow with time, so a binary search over ids finds that row. Times are only
    // nearly monotonic (requests racing into one commit, a clock step): the statements below
    // still check each row's time, and a row the search misses goes at the next prune.
    Result<std::pair<int64_t, int64_t>> range = readers_.Read("prune inbox", [&](Connection& conn) {
      Statement bounds = conn.Prepare("SELECT MIN(id), MAX(id) FROM inbox");
      bounds->executeStep();
      const int64_t oldest = bounds->getColumn(0).getInt64();
      int64_t low = oldest;
      int64_t high = bounds->getColumn(1).getInt64();
      bounds->reset();
      int64_t last_before_cutoff = 0;  // none
      Statement probe =
          conn.Prepare("SELECT id, received_ms FROM inbox WHERE id >= ? ORDER BY id LIMIT 1");
      while (low <= high && low > 0) {
        const int64_t middle = low + (high - low) / 2;
        probe->bind(1, middle);
        if (!probe->executeStep()) break;  // cannot happen below MAX(id) in one snapshot
        const int64_t id = probe->getColumn(0).getInt64();
        const bool before_cutoff = probe->getColumn(1).getInt64() < body_cutoff;
        probe->reset();
        if (before_cutoff) {
          last_before_cutoff = id;
          low = id + 1;
        } else {
          high = middle - 1;
        }
      }
      return std::make_pair(oldest, last_before_cutoff);
    });
    if (!range.ok()) return range.status();
    // One write request per slice of ids, so webhook appends interleave with a long prune
    // instead of timing out behind it.
    int64_t pruned = 0;
    for (int64_t first = range->first; first <= range->second; first += kPruneSliceIds) {
      const int64_t last = std::min(range->second, first + kPruneSliceIds - 1);
      auto slice_pruned = std::make_shared<int64_t>(0);
      Status status = writer_.Submit(Guarded(
          "prune inbox", [slice_pruned, first, last, body_cutoff, row_cutoff](Connection& conn) {
            Statement bodies = conn.Prepare(
                "UPDATE inbox SET body = NULL WHERE id BETWEEN ? AND ? "
                "AND processed_ms IS NOT NULL AND body IS NOT NULL AND received_ms < ?");
            bodies->bind(1, first);
            bodies->bind(2, last);
            bodies->bind(3, body_cutoff);
            *slice_pruned = bodies->exec();
            Statement rows = conn.Prepare(
                "DELETE FROM inbox WHERE id BETWEEN ? AND ? "
                "AND processed_ms IS NOT NULL AND received_ms < ?");
            rows->bind(1, first);
            rows->bind(2, last);
            rows->bind(3, row_cutoff);
            rows->exec();
            DeleteKeysOfPrunedRows(conn, first, last);
            return Status::Ok();
          }));
      if (!status.ok()) return status;
      pruned += *slice_pruned;
    }
    // Statuses of messages never recorded here (sent by another tool) would wait forever;
    // after the key window no platform retry can still need them.
    Status status =
        writer_.Submit(Guarded("prune pending statuses", [row_cutoff](Connection& conn) {
          Statement statuses = conn.Prepare("DELETE FROM pending_statuses WHERE timestamp_ms < ?");
          statuses->bind(1, row_cutoff);
          statuses->exec();
          return Status::Ok();
        }));
    if (!status.ok()) return status;
    return pruned;
  }

  Status Backup(const std::string& destination_path) override {
    if (destination_path.empty()) return InvalidArgument("backup destination is empty");
    std::error_code error;
    // symlink_status: a dangling link counts as existing too.
    if (std::filesystem::exists(std::filesystem::symlink_status(destination_path, error))) {
      return AlreadyExists("backup destination already exists: " + destination_path +
                           " (choose a new file name)");
    }
    Result<bool> done = readers_.Read("backup", [&](Connection& conn) {
      // One-off, not cached: a backup is rare.
      SQLite::Statement vacuum(conn.db(), "VACUUM INTO ?");
      vacuum.bind(1, destination_path);
      vacuum.exec();
      return true;
    });
    return done.status();
  }

  WriterStats GetWriterStats() const override { return writer_.Stats(); }
  bool Healthy() const override { return writer_.Healthy(); }

 private:
  WalRestartSignal wal_restart_;  // first: outlives the checkpointer and the writer using it
  ReaderPool readers_;
  Checkpointer checkpointer_;
  std::unique_ptr<PendingInboxKeys> pending_keys_;  // the writer's work uses it: declared first
  GroupCommitWriter writer_;  // declared last, destroyed first: drains before the rest goes
};

Status ValidateOptions(const SqliteOptions& options) {
  if (options.path.empty()) return InvalidArgument("store path is empty");
  if (options.max_waiting_writes == 0) return InvalidArgument("max_waiting_writes must be > 0");
  if (options.max_batch == 0) return InvalidArgument("max_batch must be > 0");
  if (options.commit_timeout_ms <= 0) return InvalidArgument("commit_timeout_ms must be > 0");
  if (options.max_size_bytes < 0) return InvalidArgument("max_size_bytes must not be negative");
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  if (Status valid = ValidateOptions(options); !valid.ok()) return valid;
  std::unique_ptr<Connection> writer;
  try {
    writer = std::make_unique<Connection>(
        options.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kWriterBusyTimeoutMs);
    SQLite::Database& db = writer->db();
    const std::string mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") {
      return Internal("opening " + options.path + ": could not enable WAL (journal mode is " +
                      mode + ")");
    }
    db.exec(options.synchronous == Synchronous::kFull ? "PRAGMA synchronous = FULL"
                                                      : "PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA wal_autocheckpoint = 0");  // the Checkpointer thread does it instead
    db.exec("PRAGMA foreign_keys = ON");
    if (options.max_size_bytes > 0) {
      const int64_t page_size = db.execAndGet("PRAGMA page_size").getInt64();
      const int64_t pages = std::max<int64_t>(1, options.max_size_bytes / page_size);
      db.exec("PRAGMA max_page_count = " + std::to_string(pages));
    }
  } catch (const std::exception& e) {
    return StatusFromException(e, "opening " + options.path);
  }
  Result<int> migrated = ApplyMigrations(writer->db(), SchemaMigrations(), WallMs());
  if (!migrated.ok()) {
    const Status& s = migrated.status();
    return Status(s.code(), "opening " + options.path + ": " + s.message());
  }
  // The keys of the rows a previous run acknowledged but did not process, before any
  // acknowledgement can look for them.
  auto pending_keys = std::make_unique<PendingInboxKeys>(options.max_pending_keys);
  try {
    SQLite::Transaction transaction(writer->db());
    if (Status loaded = LoadPendingInboxKeys(*writer, *pending_keys); !loaded.ok()) {
      return Status(loaded.code(), "opening " + options.path + ": " + loaded.message());
    }
    transaction.commit();
  } catch (const std::exception& e) {
    return StatusFromException(e, "opening " + options.path + ": loading pending inbox keys");
  }
  return std::unique_ptr<Store>(
      std::make_unique<SqliteStore>(std::move(writer), std::move(pending_keys), options));
}

}  // namespace atalaya::store
