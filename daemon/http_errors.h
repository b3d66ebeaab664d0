#pragma once
// How errors reach HTTP clients: one mapping from ErrorCode to status, one JSON body shape
// {"error":{"code":"snake_case","message":"..."}}.

#include <httplib.h>

#include <string>

#include "common/status.h"

namespace atalaya::daemon {

int HttpStatusFor(ErrorCode code);

// Writes the status and JSON error body for `status` (which must not be OK).
void WriteError(httplib::Response& res, const Status& status);
// The same with an explicit HTTP status and code name (for statuses httplib sets itself).
void WriteError(httplib::Response& res, int http_status, const std::string& code,
                const std::string& message);

void WriteJson(httplib::Response& res, int http_status, const std::string& json_body);

}  // namespace atalaya::daemon
