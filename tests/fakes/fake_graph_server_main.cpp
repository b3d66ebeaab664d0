// fake_graph_server: the FakeGraphServer as a process, for end-to-end tests that start the
// real daemon. Prints "PORT <n>" on the first stdout line once listening, then serves until
// SIGTERM or SIGINT. Control it over HTTP (see fake_graph_server.h), e.g.
//   curl -s localhost:<n>/_fake/requests
//   curl -s -d '{"path":"PAGE/messages","status":400,"body":{"error":{"code":551}}}'
//        localhost:<n>/_fake/enqueue

#include <signal.h>

#include <cstdio>

#include "tests/fakes/fake_graph_server.h"

int main() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  // Blocked before the server's threads start, so only sigwait below receives them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  atalaya::fakes::FakeGraphServer server;
  std::printf("PORT %d\n", server.port());
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  return 0;
}
