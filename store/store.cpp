#include "store/store.h"

#include <utility>

namespace atalaya::store {
namespace {

// Results known before StartIngestBatch returned.
class CommittedIngest final : public PendingIngest {
 public:
  explicit CommittedIngest(std::vector<Result<IngestOutcome>> results)
      : results_(std::move(results)) {}
  std::vector<Result<IngestOutcome>> Wait() override { return std::move(results_); }

 private:
  std::vector<Result<IngestOutcome>> results_;
};

}  // namespace

std::unique_ptr<PendingIngest> Store::StartIngestBatch(std::vector<IngestItem> items,
                                                       int64_t now_ms) {
  return std::make_unique<CommittedIngest>(CommitIngestBatch(items, now_ms));
}

}  // namespace atalaya::store
