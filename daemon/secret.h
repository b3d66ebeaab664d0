#pragma once
// Secret references: how the config names a secret without holding it.
//
//   app_secret: {env: WHATSAPP_APP_SECRET}     # an environment variable
//   app_secret: {file: secrets/app-secret}     # a file, relative to the config file's folder
//   app_secret: {credential: app-secret}       # $CREDENTIALS_DIRECTORY/app-secret (systemd)
//
// Resolving reads the value and strips trailing newlines (files usually end with one). An
// unset, unreadable or empty source is an error whose message names the source (variable,
// file, credential) but never the value. Pure functions over their arguments; thread-safe.

#include <map>
#include <string>

#include "common/status.h"

namespace atalaya::daemon {

enum class SecretSource { kEnv, kFile, kCredential };

struct SecretRef {
  SecretSource source = SecretSource::kEnv;
  std::string name;  // variable name, path as written, or credential name
};

// The message for a secret written any other way; the value itself is never echoed.
inline constexpr char kSecretFormHelp[] =
    "write secrets as {env: NAME}, {file: PATH} or {credential: NAME}";

// Reads the secret. `env` holds the environment (NAME → value); `$CREDENTIALS_DIRECTORY` is
// looked up there too. `base_dir` is the folder relative file paths resolve against.
Result<std::string> ResolveSecret(const SecretRef& ref, const std::string& base_dir,
                                  const std::map<std::string, std::string>& env);

}  // namespace atalaya::daemon
