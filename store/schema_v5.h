#pragma once
// Migration 5: the inbox loses its index on received_ms. Never edit it once shipped; add a
// later migration instead.
//
// Every acknowledged webhook paid for that index inside the single writer's transaction (one
// more B-tree insert and one more page in the WAL per commit), and only the daily prune read
// it. The prune now finds its id range by a binary search over ids, which grow with time.

namespace atalaya::store {

inline constexpr const char* kSchemaV5 = R"sql(
DROP INDEX inbox_received;
)sql";

}  // namespace atalaya::store
