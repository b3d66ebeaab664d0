#pragma once
// The designer's tools behind `atalaya check --rules`, `atalaya explain` and `atalaya test`.
// Each takes its arguments and two streams and returns the process exit code, so the
// daemon's main only dispatches. Nothing here touches the store or the network: `explain
// --message ID` is wired by the daemon, which loads the stored decision and prints it with
// FormatDecision.
//
// Exit codes: 0 = clean / all tests pass; 1 = errors in the rule set / a test failed;
// 2 = bad usage (unknown flag, unreadable file, a test file that cannot be read).

#include <ostream>
#include <string>
#include <vector>

#include "common/decision.h"

namespace atalaya::rules {

// Validates a rule directory; prints every error and warning to `err`, a summary to `out`.
int RunCheckRules(const std::string& rules_dir, std::ostream& out, std::ostream& err);

// `explain` flags (args excludes the subcommand itself):
//   --rules DIR (required)   --file EVENT.json|yaml   --json
//   --channel NAME --kind KIND --public|--private --text TEXT --rating N --attachment KIND
//   --followers N --following N --listed N --posts N --verified TYPE --bio TEXT
//   --account-age-days N --segment NAME --promotion-post --at ISO-TIME
// Flags given with --file override the file's fields. Prints the decision and its trace.
int RunExplain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Runs every *.yaml test file in tests_dir against the rule set in rules_dir; prints PASS or
// FAIL per case with a diff of the fields that differ and the trace of failures.
int RunRuleTests(const std::string& tests_dir, const std::string& rules_dir, std::ostream& out,
                 std::ostream& err);

// A decision and its full trace as text, for `explain` (also of a stored message).
std::string FormatDecision(const Decision& decision);

}  // namespace atalaya::rules
