#include "daemon/ingest_pace.h"

namespace atalaya::daemon {

IngestStep PaceIngest(int64_t writes_waiting, const IngestPacing& pacing) {
  if (writes_waiting <= 0) return {pacing.rows_when_idle, 0};
  if (writes_waiting < pacing.busy_writer_queue) return {pacing.rows_when_sharing, 0};
  return {pacing.rows_when_busy, pacing.pause_when_busy_ms};
}

}  // namespace atalaya::daemon
