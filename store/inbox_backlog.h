#pragma once
// The inbox's backlog (rows acknowledged, not yet normalized), read from the partial index
// inbox_pending alone: its cost follows the backlog, not the inbox's history, so /metrics can
// read it at every scrape. Reads only, on any connection.

#include "store/connection.h"
#include "store/store.h"

namespace atalaya::store {

InboxBacklog ReadBacklog(Connection& conn);

}  // namespace atalaya::store
