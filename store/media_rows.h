#pragma once
// Media rows: how the download state of attachments (store/media.h) maps to the
// `media_downloads` table, and the moves the media worker makes.
//
// Threads: functions use only the connection they are given (the writer's for changes).
// Errors: as documented on Store's media methods, returned as values; SQLiteCpp exceptions
// propagate to the store's edge.

#include <cstdint>
#include <optional>
#include <vector>

#include "common/event.h"
#include "common/status.h"
#include "store/connection.h"
#include "store/media.h"

namespace atalaya::store {

// A pending row, due at once, for each of the event's attachments that has a media id or a
// URL. Called by InsertEvent right after the attachments are written.
void QueueMediaDownloads(Connection& conn, int64_t event_id,
                         const std::vector<Attachment>& attachments, int64_t now_ms);

std::vector<MediaDownload> LoadDueMedia(Connection& conn, int64_t now_ms, size_t limit);
std::optional<MediaDownload> LoadMedia(Connection& conn, int64_t event_id, int position);

// The worker's moves, each from kPending only: kNotFound "media 7/0 does not exist",
// kFailedPrecondition "media 7/0 is stored, not pending" (nothing changes).
Status MarkMediaStoredRow(Connection& conn, int64_t event_id, int position,
                          const StoredMedia& stored, int64_t now_ms);
Status MarkMediaRetryRow(Connection& conn, int64_t event_id, int position, int64_t next_attempt_ms,
                         const MediaError& error, int64_t now_ms);
Status MarkMediaFailedRow(Connection& conn, int64_t event_id, int position, const MediaError& error,
                          int64_t now_ms);

}  // namespace atalaya::store
