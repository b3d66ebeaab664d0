#include "common/thread_name.h"

#include <pthread.h>

#include <string>

namespace atalaya {

void NameThisThread(const char* name) {
  constexpr size_t kMaxLength = 15;  // the kernel's TASK_COMM_LEN minus the terminator
  const std::string cut = std::string(name).substr(0, kMaxLength);
  pthread_setname_np(pthread_self(), cut.c_str());  // best effort: a name is only a label
}

}  // namespace atalaya
