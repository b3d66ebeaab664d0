#pragma once
// `atalaya simulate whatsapp --from NUMBER --text TEXT`: signs and posts a realistic
// WhatsApp Cloud API webhook to a running daemon, as Meta would. The address and app secret
// come from --config (the first WhatsApp account); --url and --app-secret-file override them.

#include <iosfwd>
#include <string>
#include <vector>

namespace atalaya::daemon {

int RunSimulate(const std::vector<std::string>& args, const std::vector<std::string>& env,
                std::ostream& out, std::ostream& err);

}  // namespace atalaya::daemon
