#pragma once
// `atalaya explain`: either what the rules would decide for an event given on the command
// line (rules::RunExplain), or, with --message ID, the decision stored with a message and the
// rule-set version that made it — read from the daemon's database, even while it serves.

#include <iosfwd>
#include <string>
#include <vector>

namespace atalaya::daemon {

int RunExplainCommand(const std::vector<std::string>& args, const std::vector<std::string>& env,
                      std::ostream& out, std::ostream& err);

}  // namespace atalaya::daemon
