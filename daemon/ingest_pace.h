#pragma once
// How many inbox rows the ingest worker normalizes in its next transaction, and after what
// pause, given how many writes wait for the store's writer.
//
// Acknowledgements come first: every webhook waits for the writer before its 200 goes out,
// and the platforms retry (and at length unsubscribe) when answers are slow. So while the
// writer is saturated (`busy_writer_queue` writes or more waiting) ingest commits a few rows
// after a pause: the backlog grows during a burst and drains when it ends. Below that the
// writer has room, and ingest commits without pausing, its rows joining the webhooks' commits
// (one fsync serves both): under a steady load it keeps pace instead of falling behind for as
// long as the load lasts, which is what stepping back at the first waiting write did.

#include <cstddef>
#include <cstdint>

namespace atalaya::daemon {

struct IngestPacing {
  size_t rows_when_idle = 64;       // nothing waits for the writer: drain in large commits
  size_t rows_when_sharing = 16;    // some webhooks wait: small enough not to delay them much
  size_t rows_when_busy = 4;        // the writer is saturated: keep normalization going, barely
  int64_t pause_when_busy_ms = 20;  // ... each such commit after this pause
  int64_t busy_writer_queue = 8;    // writes waiting from which the writer counts as saturated
};

struct IngestStep {
  size_t rows = 0;
  int64_t pause_ms = 0;
};

IngestStep PaceIngest(int64_t writes_waiting, const IngestPacing& pacing);

}  // namespace atalaya::daemon
