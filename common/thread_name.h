#pragma once
// Names the calling thread, as `top -H`, `ps -L`, perf and /proc/PID/task/*/comm show it, so
// an operator (and bench/ingest) can tell the writer from the HTTP workers. Linux keeps at most
// 15 bytes; longer names are cut there.

namespace atalaya {

void NameThisThread(const char* name);

}  // namespace atalaya
