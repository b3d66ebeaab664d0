#include "daemon/config.h"

#include <unistd.h>

#include <charconv>
#include <exception>

#include "daemon/config_loader.h"

namespace atalaya::daemon {

std::string ConfigError::ToString() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const Status bad =
      InvalidArgument("expected HOST:PORT with a port from 0 to 65535 (e.g. 127.0.0.1:8080)");
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad;
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.starts_with("[")) {
    if (!host.ends_with("]") || host.size() < 3) return bad;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad;  // a bare IPv6 address is ambiguous: write [::1]:8080
  }
  if (host.empty() || host.find_first_of(" \t/[]") != std::string_view::npos) return bad;
  int value = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 0 ||
      value > 65535) {
    return bad;
  }
  return ListenAddress{std::string(host), value};
}

std::vector<std::string> ProcessEnvironment() {
  std::vector<std::string> vars;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    vars.emplace_back(*entry);
  }
  return vars;
}

ConfigLoad LoadConfig(const std::string& path, const std::vector<std::string>& environ_vars,
                      const std::map<std::string, std::string>& flag_overrides) {
  try {
    ConfigLoader loader(path, environ_vars);
    loader.ReadFile();
    loader.ApplyEnvironment();
    loader.ApplyFlags(flag_overrides);
    loader.Finish();
    return loader.Take();
  } catch (const std::exception& e) {  // bad_alloc, filesystem errors: still a value
    ConfigLoad load;
    load.errors.push_back({path, 0, 0, std::string("cannot load the config: ") + e.what()});
    return load;
  }
}

}  // namespace atalaya::daemon
