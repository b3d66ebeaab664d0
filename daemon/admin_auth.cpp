#include "daemon/admin_auth.h"

#include <string_view>

#include "common/crypto.h"

namespace atalaya::daemon {

Status CheckAdminToken(const httplib::Request& req, const std::string& admin_token) {
  if (admin_token.empty()) {
    return PermissionDenied("the admin API is off: no admin token is configured");
  }
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty()) return Unauthenticated("missing Authorization: Bearer <admin token>");
  if (header.compare(0, kBearer.size(), kBearer) != 0 ||
      !ConstantTimeEquals(std::string_view(header).substr(kBearer.size()), admin_token)) {
    return Unauthenticated("wrong admin token");
  }
  return Status::Ok();
}

}  // namespace atalaya::daemon
