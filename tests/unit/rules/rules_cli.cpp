// A stand-in for the `atalaya check|explain|test` dispatch until the daemon's main wires the
// same functions; the site rule-test CTest entry runs through it, exactly as `atalaya test`.
#include <iostream>
#include <string>
#include <vector>

#include "rules/tools.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "check") {
    return atalaya::rules::RunCheckRules(args[1], std::cout, std::cerr);
  }
  if (args.size() == 3 && args[0] == "test") {
    return atalaya::rules::RunRuleTests(args[1], args[2], std::cout, std::cerr);
  }
  if (!args.empty() && args[0] == "explain") {
    return atalaya::rules::RunExplain({args.begin() + 1, args.end()}, std::cout, std::cerr);
  }
  std::cerr
      << "usage: rules_cli check RULES_DIR | test TESTS RULES_DIR | explain --rules DIR ...\n";
  return 2;
}
