#include "daemon/metrics.h"

#include <sstream>

namespace atalaya::daemon {
namespace {

void Header(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

void Single(std::ostringstream& out, const char* name, const char* type, const char* help,
            double value) {
  Header(out, name, type, help);
  out << name << ' ' << value << '\n';
}

// Prometheus label values escape backslash, double quote and newline.
std::string EscapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

const char* WebhookResultName(WebhookResult result) {
  switch (result) {
    case WebhookResult::kAccepted:
      return "accepted";
    case WebhookResult::kDuplicate:
      return "duplicate";
    case WebhookResult::kBadSignature:
      return "bad_signature";
    case WebhookResult::kMalformed:
      return "malformed";
    case WebhookResult::kTooLarge:
      return "too_large";
    case WebhookResult::kOverloaded:
      return "overloaded";
    case WebhookResult::kError:
      return "error";
    case WebhookResult::kCount:
      break;
  }
  return "unknown";
}

const char* MentionResultName(MentionResult result) {
  switch (result) {
    case MentionResult::kEnriched:
      return "enriched";
    case MentionResult::kRetried:
      return "retried";
    case MentionResult::kFailed:
      return "failed";
    case MentionResult::kNotConfigured:
      return "not_configured";
    case MentionResult::kCount:
      break;
  }
  return "unknown";
}

const char* WebhookRouteName(WebhookRoute route) {
  switch (route) {
    case WebhookRoute::kWhatsApp:
      return "whatsapp";
    case WebhookRoute::kMessenger:
      return "messenger";
    case WebhookRoute::kInstagram:
      return "instagram";
    case WebhookRoute::kMeta:
      return "meta";
    case WebhookRoute::kCount:
      break;
  }
  return "unknown";
}

void Metrics::CountDecision(const Decision& decision) {
  std::lock_guard lock(decisions_mutex_);
  ++decisions_by_filter_[FilterActionName(decision.filter)];
  if (decision.filter != FilterAction::kNone) {
    ++filtered_by_reason_[{FilterActionName(decision.filter), decision.filter_reason}];
  } else if (!decision.queue.empty()) {
    ++decisions_by_queue_[decision.queue];
  }
}

void Metrics::CountMediaFailed(const std::string& reason) {
  std::lock_guard lock(media_mutex_);
  ++media_failed_[reason];
}

int64_t Metrics::MediaFailed(const std::string& reason) const {
  std::lock_guard lock(media_mutex_);
  const auto it = media_failed_.find(reason);
  return it == media_failed_.end() ? 0 : it->second;
}

std::string Metrics::Render(store::Store& store, int64_t now_ms, bool ready) const {
  std::ostringstream out;
  out.precision(10);
  Header(out, "atalaya_webhooks_total", "counter", "Webhook deliveries by route and result.");
  for (int r = 0; r < kRoutes; ++r) {
    for (int k = 0; k < kResults; ++k) {
      out << "atalaya_webhooks_total{route=\"" << WebhookRouteName(static_cast<WebhookRoute>(r))
          << "\",result=\"" << WebhookResultName(static_cast<WebhookResult>(k)) << "\"} "
          << webhooks_[r][k].load() << '\n';
    }
  }
  Single(out, "atalaya_events_stored_total", "counter", "Normalized events stored.",
         events_stored_.load());
  Single(out, "atalaya_events_duplicate_total", "counter",
         "Events already stored from an earlier delivery.", events_duplicate_.load());
  Single(out, "atalaya_events_unsupported_total", "counter",
         "Events kept as unsupported, with a reason.", events_unsupported_.load());
  Single(out, "atalaya_statuses_applied_total", "counter",
         "Delivery statuses applied to outbound messages.", statuses_applied_.load());
  Single(out, "atalaya_statuses_pending_total", "counter",
         "Delivery statuses kept for a message not known yet.", statuses_pending_.load());
  Single(out, "atalaya_inbox_processed_total", "counter", "Inbox rows normalized.",
         inbox_processed_.load());
  Single(out, "atalaya_ingest_failures_total", "counter",
         "Ingest transactions that failed and will be retried.", ingest_failures_.load());
  Header(out, "atalaya_events_unconfigured_account_total", "counter",
         "Events for an account the config does not name, kept as unsupported, by channel.");
  for (int c = 0; c < kMetaChannels; ++c) {
    out << "atalaya_events_unconfigured_account_total{channel=\""
        << ChannelName(static_cast<Channel>(c)) << "\"} " << unconfigured_account_[c].load()
        << '\n';
  }

  Header(out, "atalaya_mentions_total", "counter",
         "Instagram mentions fetched through the Graph API, by result.");
  for (int r = 0; r < static_cast<int>(MentionResult::kCount); ++r) {
    out << "atalaya_mentions_total{result=\"" << MentionResultName(static_cast<MentionResult>(r))
        << "\"} " << mentions_[r].load() << '\n';
  }

  {
    std::lock_guard lock(decisions_mutex_);
    Header(out, "atalaya_decisions_total", "counter", "Events decided by the rules, by filter.");
    for (const auto& [filter, n] : decisions_by_filter_) {
      out << "atalaya_decisions_total{filter=\"" << filter << "\"} " << n << '\n';
    }
    Header(out, "atalaya_filtered_total", "counter",
           "Events filtered (dropped or only counted), by the rule file's reason.");
    for (const auto& [key, n] : filtered_by_reason_) {
      out << "atalaya_filtered_total{action=\"" << key.first << "\",reason=\""
          << EscapeLabel(key.second) << "\"} " << n << '\n';
    }
    Header(out, "atalaya_routed_total", "counter", "Events routed to a queue, by queue.");
    for (const auto& [queue, n] : decisions_by_queue_) {
      out << "atalaya_routed_total{queue=\"" << EscapeLabel(queue) << "\"} " << n << '\n';
    }
  }

  Single(out, "atalaya_media_downloaded_total", "counter",
         "Attachments downloaded into the state directory.", media_stored_.load());
  Single(out, "atalaya_media_downloaded_bytes_total", "counter", "Bytes of downloaded attachments.",
         media_bytes_.load());
  Single(out, "atalaya_media_retries_total", "counter",
         "Attachment downloads that failed transiently and will be retried.",
         media_retried_.load());
  {
    std::lock_guard lock(media_mutex_);
    Header(out, "atalaya_media_failed_total", "counter",
           "Attachment downloads given up, by reason (the message is kept).");
    for (const auto& [reason, n] : media_failed_) {
      out << "atalaya_media_failed_total{reason=\"" << EscapeLabel(reason) << "\"} " << n << '\n';
    }
  }

  auto backlog = store.GetInboxBacklog();
  if (backlog.ok()) {
    Single(out, "atalaya_inbox_backlog", "gauge", "Inbox rows accepted but not yet normalized.",
           backlog->rows);
    double age_s =
        backlog->oldest_received_ms > 0 ? (now_ms - backlog->oldest_received_ms) / 1000.0 : 0;
    Single(out, "atalaya_inbox_backlog_age_seconds", "gauge",
           "Age of the oldest inbox row not yet normalized.", age_s);
  }

  store::WriterStats w = store.GetWriterStats();
  Single(out, "atalaya_store_commits_total", "counter", "Group-commit transactions.", w.commits);
  Single(out, "atalaya_store_committed_writes_total", "counter",
         "Write requests committed (sum of batch sizes).", w.rows);
  Single(out, "atalaya_store_failed_commits_total", "counter", "Transactions that failed.",
         w.failed_commits);
  Single(out, "atalaya_store_rejected_writes_total", "counter",
         "Writes refused at once because the queue was over its limit.", w.rejected_overload);
  Single(out, "atalaya_store_timed_out_writes_total", "counter",
         "Writes whose caller gave up past the commit deadline.", w.timed_out);
  Single(out, "atalaya_store_write_queue_depth", "gauge", "Writes waiting for a commit.",
         w.queue_depth);
  Single(out, "atalaya_store_wal_restarts_total", "counter",
         "Times the writer reset a long write-ahead log to its start.", w.wal_restarts);
  Single(out, "atalaya_store_wal_restarts_missed_total", "counter",
         "WAL resets given up: a reader or a checkpoint still used the log.",
         w.wal_restarts_missed);
  Single(out, "atalaya_store_batch_size_mean", "gauge", "Mean writes per commit since start.",
         w.commits > 0 ? static_cast<double>(w.rows) / w.commits : 0);
  Header(out, "atalaya_store_commit_seconds", "histogram", "Commit latency.");
  for (int i = 0; i < store::WriterStats::kBuckets; ++i) {  // already cumulative
    out << "atalaya_store_commit_seconds_bucket{le=\""
        << store::WriterStats::kCommitBucketsMs[i] / 1000.0 << "\"} " << w.commit_buckets[i]
        << '\n';
  }
  out << "atalaya_store_commit_seconds_bucket{le=\"+Inf\"} " << w.commits << '\n';
  out << "atalaya_store_commit_seconds_sum " << w.commit_ns_sum / 1e9 << '\n';
  out << "atalaya_store_commit_seconds_count " << w.commits << '\n';
  Single(out, "atalaya_ready", "gauge", "1 while the daemon accepts webhooks.", ready ? 1 : 0);
  return out.str();
}

}  // namespace atalaya::daemon
