#include "tests/support/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace atalaya::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::current_path() / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) return "";
  return tmpl;
}

DaemonProcess::DaemonProcess(std::string binary, std::vector<std::string> args,
                             std::map<std::string, std::string> extra_env, std::string log_dir)
    : binary_(std::move(binary)),
      args_(std::move(args)),
      extra_env_(std::move(extra_env)),
      stdout_path_(log_dir + "/stdout.log"),
      stderr_path_(log_dir + "/stderr.log") {}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0 && exit_status_ < 0) {
    ::kill(pid_, SIGKILL);
    Wait(10000);
  }
}

bool DaemonProcess::Start() {
  std::vector<std::string> env_strings;
  for (char** e = environ; e && *e; ++e) {
    std::string var(*e);
    std::string name = var.substr(0, var.find('='));
    if (extra_env_.count(name) == 0 && name.rfind("ATALAYA_", 0) != 0 && name != "NOTIFY_SOCKET" &&
        name != "WATCHDOG_USEC" && name != "WATCHDOG_PID") {
      env_strings.push_back(var);
    }
  }
  for (const auto& [k, v] : extra_env_) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = {binary_};
  argv_strings.insert(argv_strings.end(), args_.begin(), args_.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ < 0) return false;
  if (pid_ == 0) {
    int out = ::open(stdout_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(binary_.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  exit_status_ = -1;
  return true;
}

int DaemonProcess::WaitForPortFile(const std::string& file, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = ReadFile(file);
    if (!text.empty() && text.back() == '\n') return std::atoi(text.c_str());
    if (!running()) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

void DaemonProcess::Signal(int sig) {
  if (pid_ > 0 && exit_status_ < 0) ::kill(pid_, sig);
}

bool DaemonProcess::running() {
  if (pid_ <= 0 || exit_status_ >= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

int DaemonProcess::Wait(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_status_;
}

void DaemonProcess::Kill9() {
  Signal(SIGKILL);
  Wait(10000);
}

std::string DaemonProcess::Stdout() const { return ReadFile(stdout_path_); }
std::string DaemonProcess::Stderr() const { return ReadFile(stderr_path_); }

}  // namespace atalaya::testing
