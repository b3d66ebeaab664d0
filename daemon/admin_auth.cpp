#include "daemon/admin_auth.h"

#include "common/crypto.h"

namespace atalaya::daemon {

bool IsAdmin(const httplib::Request& req, const std::string& admin_token) {
  if (admin_token.empty()) return false;
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    return false;
  }
  return ConstantTimeEquals(std::string_view(header).substr(kBearer.size()), admin_token);
}

}  // namespace atalaya::daemon
