#pragma once
// The media API on the admin listener: the file of one downloaded attachment.
//
//   GET /api/v1/media/<event id>/<position>    Authorization: Bearer <admin token>
//     200 the file, with its Content-Type (as served by the platform and checked) and
//         Content-Length; X-Content-Type-Options: nosniff, so a browser never runs it
//     404 {"error":{"code":"not_found",...}}: no such event or attachment, or one with
//         nothing to download
//     409 {"error":{"code":"media_pending","message":...,"attempts":N,"reason":...}}: not
//         downloaded yet (the reason of the last transient failure, when there was one)
//     410 {"error":{"code":"media_failed","message":...,"reason":"too_large"}}: the download
//         was given up; the message is kept, the file will never be here
//     401/403 as every admin endpoint (daemon/admin_auth.h); 500 when a stored file is gone
//
// Ownership: borrows the store (it must outlive the server). Thread-safety: handlers run on
// httplib's worker threads; the store is thread-safe; files are read-only once named.

#include <httplib.h>

#include <functional>
#include <string>

#include "store/store.h"

namespace atalaya::daemon {

struct MediaApiOptions {
  std::function<std::string()> admin_token;  // the admin token now; "" = the API answers 403
  std::string media_dir;                     // <state_dir>/media
};

void RegisterMediaApi(httplib::Server& server, store::Store& store, MediaApiOptions options);

}  // namespace atalaya::daemon
