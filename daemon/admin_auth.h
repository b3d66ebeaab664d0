#pragma once
// The admin API's authentication: `Authorization: Bearer <admin token>`, compared in
// constant time. Every admin endpoint (rule reload, outbound messages) checks it here.

#include <httplib.h>

#include <string>

#include "common/status.h"

namespace atalaya::daemon {

// OK, kUnauthenticated (no header, or the wrong token) or kPermissionDenied (no admin token
// is configured: the admin API is off).
Status CheckAdminToken(const httplib::Request& req, const std::string& admin_token);

}  // namespace atalaya::daemon
