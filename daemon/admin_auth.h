#pragma once
// The admin API's authentication: `Authorization: Bearer <admin token>`, compared in
// constant time. An empty configured token refuses everyone.

#include <httplib.h>

#include <string>

namespace atalaya::daemon {

bool IsAdmin(const httplib::Request& req, const std::string& admin_token);

}  // namespace atalaya::daemon
