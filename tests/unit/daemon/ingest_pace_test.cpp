// The ingest worker's pace: full commits when the writer is idle, smaller ones without a
// pause while some webhooks share the writer, a few rows after a pause once it is saturated.

#include "daemon/ingest_pace.h"

#include <gtest/gtest.h>

namespace atalaya::daemon {
namespace {

TEST(IngestPace, IdleWriterDrainsInFullCommits) {
  const IngestPacing pacing;
  const IngestStep step = PaceIngest(0, pacing);
  EXPECT_EQ(step.rows, pacing.rows_when_idle);
  EXPECT_EQ(step.pause_ms, 0);
}

// A steady load below saturation always has a webhook or two at the writer. Pausing for
// them starved normalization for as long as the load lasted (bench/ingest with two
// connections: 3,200 webhooks/s acknowledged, 660/s normalized).
TEST(IngestPace, WebhooksBelowSaturationNeverPauseIngest) {
  const IngestPacing pacing;
  for (int64_t waiting = 1; waiting < pacing.busy_writer_queue; ++waiting) {
    const IngestStep step = PaceIngest(waiting, pacing);
    EXPECT_EQ(step.rows, pacing.rows_when_sharing) << waiting << " writes waiting";
    EXPECT_EQ(step.pause_ms, 0) << waiting << " writes waiting";
  }
  EXPECT_LT(pacing.rows_when_sharing, pacing.rows_when_idle)
      << "rows committed beside webhooks delay their acknowledgements";
}

TEST(IngestPace, SaturatedWriterGetsFewRowsAfterAPause) {
  const IngestPacing pacing;
  for (int64_t waiting : {pacing.busy_writer_queue, pacing.busy_writer_queue + 1, int64_t{5000}}) {
    const IngestStep step = PaceIngest(waiting, pacing);
    EXPECT_EQ(step.rows, pacing.rows_when_busy) << waiting << " writes waiting";
    EXPECT_EQ(step.pause_ms, pacing.pause_when_busy_ms) << waiting << " writes waiting";
    EXPECT_GT(step.rows, 0u) << "normalization slows under a burst but never stops";
  }
}

TEST(IngestPace, FollowsTheConfiguredPacing) {
  IngestPacing pacing;
  pacing.rows_when_idle = 100;
  pacing.rows_when_sharing = 10;
  pacing.rows_when_busy = 1;
  pacing.pause_when_busy_ms = 50;
  pacing.busy_writer_queue = 3;
  EXPECT_EQ(PaceIngest(0, pacing).rows, 100u);
  EXPECT_EQ(PaceIngest(2, pacing).rows, 10u);
  EXPECT_EQ(PaceIngest(3, pacing).rows, 1u);
  EXPECT_EQ(PaceIngest(3, pacing).pause_ms, 50);
}

}  // namespace
}  // namespace atalaya::daemon
