#pragma once
// What a failed Graph call means for the outbox: retry later (transient) or give up and mark
// the message failed (permanent), keeping the platform's code and message for the agent.
//
// Transient: no answer (timeout, connection error), HTTP 5xx or 429, Graph code 1 and 2
// (temporary), rate limits 4, 17, 32, 613, 80006, 130429 and 131056 (these honour
// Retry-After when the answer has one). Permanent: everything else, notably 190 (bad token),
// 551 (person unavailable), 10 / 2018278 and 131047 (window closed), 131026 (undeliverable),
// 100 (invalid parameter), 132001 (template missing). Pure; any thread.

#include <cstdint>

#include "channels/graph_client.h"
#include "common/status.h"
#include "store/outbox.h"

namespace atalaya::channels {

enum class FailureKind { kTransient, kPermanent };

struct SendFailure {
  FailureKind kind = FailureKind::kPermanent;
  bool rate_limited = false;
  int64_t retry_after_ms = -1;  // the platform's Retry-After; -1 when it gave none
  store::OutboundError error;   // code/subcode/message as the platform sent them
};

// A non-2xx answer. Messages read "graph 551: This person isn't available right now".
SendFailure ClassifyGraphResponse(const GraphResponse& response);
// No answer at all (Call() returned a Status): always transient, code 0.
SendFailure ClassifyTransportError(const Status& status);

}  // namespace atalaya::channels
