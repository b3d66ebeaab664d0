#include "daemon/secret.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace atalaya::daemon {
namespace {

std::string StripTrailingNewlines(std::string value) {
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

// Reads a whole file; the error names the path and the system's reason.
Result<std::string> ReadSecretFile(const std::string& what, const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return InvalidArgument("cannot read " + what + " " + path.string() + ": Is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return InvalidArgument("cannot read " + what + " " + path.string() + ": " +
                           std::strerror(errno));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string value = StripTrailingNewlines(buffer.str());
  if (value.empty()) return InvalidArgument(what + " " + path.string() + " is empty");
  return value;
}

}  // namespace

Result<std::string> ResolveSecret(const SecretRef& ref, const std::string& base_dir,
                                  const std::map<std::string, std::string>& env) {
  switch (ref.source) {
    case SecretSource::kEnv: {
      auto it = env.find(ref.name);
      if (it == env.end()) {
        return InvalidArgument("environment variable " + ref.name + " is not set");
      }
      std::string value = StripTrailingNewlines(it->second);
      if (value.empty()) return InvalidArgument("environment variable " + ref.name + " is empty");
      return value;
    }
    case SecretSource::kFile: {
      std::filesystem::path path(ref.name);
      if (path.is_relative()) path = std::filesystem::path(base_dir) / path;
      return ReadSecretFile("secret file", path.lexically_normal());
    }
    case SecretSource::kCredential: {
      // A credential is a plain file name inside the directory systemd prepared.
      if (ref.name.find('/') != std::string::npos || ref.name == "." || ref.name == "..") {
        return InvalidArgument("credential name \"" + ref.name + "\" must not contain '/'");
      }
      auto dir = env.find("CREDENTIALS_DIRECTORY");
      if (dir == env.end() || dir->second.empty()) {
        return InvalidArgument("credential " + ref.name +
                               ": $CREDENTIALS_DIRECTORY is not set (systemd sets it for "
                               "LoadCredential= or SetCredential= in the unit)");
      }
      return ReadSecretFile("credential", std::filesystem::path(dir->second) / ref.name);
    }
  }
  return Internal("unknown secret source");
}

}  // namespace atalaya::daemon
