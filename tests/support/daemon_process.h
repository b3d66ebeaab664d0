#pragma once
// DaemonProcess: the real `atalaya` binary started as a child process for end-to-end tests,
// on port 0 in a temporary state directory, with its stdout/stderr captured to files.
// Not thread-safe: one test thread drives it.

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace atalaya::testing {

class DaemonProcess {
 public:
  // `args` follow the binary name, e.g. {"serve", "--config", path}.
  DaemonProcess(std::string binary, std::vector<std::string> args,
                std::map<std::string, std::string> extra_env, std::string log_dir);
  ~DaemonProcess();  // SIGKILLs a child still running

  // Starts the child; returns false when fork/exec failed.
  bool Start();
  // Waits until `file` exists and holds a number (a port), or the child exits. 0 on failure.
  int WaitForPortFile(const std::string& file, int timeout_ms = 20000);
  void Signal(int sig);
  // Waits for the child to exit; returns its exit status, 128+signal when killed, -1 on
  // timeout.
  int Wait(int timeout_ms = 30000);
  void Kill9();
  bool running();

  std::string Stdout() const;
  std::string Stderr() const;
  pid_t pid() const { return pid_; }

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::map<std::string, std::string> extra_env_;
  std::string stdout_path_;
  std::string stderr_path_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

// Reads a whole file ("" when absent).
std::string ReadFile(const std::string& path);
// A fresh empty directory under the test's working directory.
std::string MakeTempDir(const std::string& prefix);

}  // namespace atalaya::testing
