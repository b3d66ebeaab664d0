#pragma once
// WalRestartSignal: the Checkpointer's word to the store writer that the WAL has grown long
// and has just been copied back, so restarting it now costs little.
//
// Why the writer does the restart: SQLite reuses the WAL from its start only when a
// checkpoint has copied every frame and no writer is appending at that moment. Under steady
// load the writer commits every millisecond, a PASSIVE checkpoint never catches up, and the
// WAL grows without end (hundreds of MB in a minute of bench/ingest). Every commit then
// extends the file, so each fsync also writes the inode: two disk writes per commit instead of
// one. Between two of its own batches the writer appends nothing, so its RESTART checkpoint
// copies only the frames committed since the Checkpointer's pass, and resets the WAL.
//
// Threads: Raise from any thread; Take from the writer.

#include <atomic>

namespace atalaya::store {

class WalRestartSignal {
 public:
  void Raise() { raised_.store(true, std::memory_order_release); }
  // True once per Raise (or run of Raises) since the last Take.
  bool Take() {
    return raised_.load(std::memory_order_relaxed) &&
           raised_.exchange(false, std::memory_order_acq_rel);
  }

 private:
  std::atomic<bool> raised_{false};
};

}  // namespace atalaya::store
