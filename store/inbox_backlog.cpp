#include "store/inbox_backlog.h"

namespace atalaya::store {

InboxBacklog ReadBacklog(Connection& conn) {
  // The oldest pending row is the smallest pending id (ids grow with arrival): one index seek,
  // then one row. INDEXED BY because with statistics (ANALYZE) the planner prefers a full
  // table scan once most rows are pending, and it would find MIN(id) by walking every
  // processed row first.
  Statement select = conn.Prepare(
      "SELECT (SELECT COUNT(*) FROM inbox INDEXED BY inbox_pending "
      "WHERE processed_ms IS NULL), "
      "(SELECT received_ms FROM inbox WHERE id = "
      "(SELECT MIN(id) FROM inbox INDEXED BY inbox_pending WHERE processed_ms IS NULL))");
  select->executeStep();
  InboxBacklog backlog;
  backlog.rows = select->getColumn(0).getInt64();
  backlog.oldest_received_ms = select->getColumn(1).getInt64();  // NULL reads as 0
  return backlog;
}

}  // namespace atalaya::store
