#include "daemon/simulate_command.h"

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <ostream>
#include <sstream>

#include "channels/meta_signature.h"
#include "channels/whatsapp_payload.h"
#include "common/crypto.h"
#include "daemon/cli_args.h"
#include "daemon/config.h"

namespace atalaya::daemon {
namespace {

const FlagSpec kFlags = {{"config", "url", "app-secret-file", "from", "text", "name", "id",
                          "user-id", "phone-number-id"},
                         {}};

std::string ReadSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string value = buffer.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

// The URL to reach `listen` from this machine: a wildcard bind is reached on loopback.
std::string UrlFor(const Config& config) {
  auto address = ParseListenAddress(config.server.listen);
  std::string host = address.ok() ? address->host : "127.0.0.1";
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  const char* scheme = config.server.tls_cert_file.empty() ? "http" : "https";
  return std::string(scheme) + "://" + host + ":" +
         std::to_string(address.ok() ? address->port : 8080) + "/webhooks/whatsapp";
}

}  // namespace

int RunSimulate(const std::vector<std::string>& args, const std::vector<std::string>& env,
                std::ostream& out, std::ostream& err) {
  auto parsed = ParseCliArgs(args, kFlags);
  if (!parsed.ok()) {
    err << "atalaya simulate: " << parsed.status().message() << '\n';
    return 2;
  }
  const CliArgs& a = *parsed;
  if (a.positional.size() != 1 || a.positional[0] != "whatsapp") {
    err << "usage: atalaya simulate whatsapp --from NUMBER --text TEXT [--config FILE] "
           "[--url URL] [--app-secret-file FILE] [--name NAME] [--id WAMID] [--user-id BSUID]\n";
    return 2;
  }
  if (!a.Has("from") && !a.Has("user-id")) {
    err << "atalaya simulate: --from NUMBER (or --user-id BSUID) is required\n";
    return 2;
  }

  std::string url = a.Get("url");
  std::string secret;
  std::string phone_number_id = a.Get("phone-number-id");
  if (a.Has("config")) {
    ConfigLoad load = LoadConfig(a.Get("config"), env, {});
    if (!load.errors.empty()) {
      for (const ConfigError& e : load.errors) err << e.ToString() << '\n';
      return 2;
    }
    if (url.empty()) url = UrlFor(load.config);
    if (!load.config.whatsapp.accounts.empty()) {
      secret = load.config.whatsapp.accounts.front().app_secret;
      if (phone_number_id.empty()) phone_number_id = load.config.whatsapp.accounts.front().id;
    }
  }
  if (a.Has("app-secret-file")) {
    secret = ReadSecretFile(a.Get("app-secret-file"));
    if (secret.empty()) {
      err << "atalaya simulate: cannot read a secret from " << a.Get("app-secret-file") << '\n';
      return 2;
    }
  }
  if (url.empty() || secret.empty()) {
    err << "atalaya simulate: give --config FILE, or both --url and --app-secret-file\n";
    return 2;
  }

  const auto now = std::chrono::system_clock::now().time_since_epoch();
  channels::SimulatedWhatsAppText message;
  message.phone_number_id = phone_number_id.empty() ? "100000000000001" : phone_number_id;
  message.from = a.Get("from");
  message.user_id = a.Get("user-id");
  message.name = a.Get("name", "Cliente Demo");
  message.text = a.Get("text", "hola");
  message.timestamp_s = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  message.message_id =
      a.Get("id", "wamid.SIM" +
                      HexEncode(Sha256(std::to_string(now.count()) + message.from + message.text))
                          .substr(0, 32));
  const std::string body = channels::BuildWhatsAppTextWebhook(message);

  // Split "scheme://host:port/path" for httplib.
  size_t path_start = url.find('/', url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  std::string origin = path_start == std::string::npos ? url : url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  httplib::Client client(origin);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(10));
  httplib::Headers headers = {{"X-Hub-Signature-256", channels::SignMetaBody(body, secret)}};
  auto res = client.Post(path, headers, body, "application/json");
  if (!res) {
    err << "atalaya simulate: cannot reach " << url << ": " << httplib::to_string(res.error())
        << '\n';
    return 1;
  }
  out << res->status << ' ' << res->body << '\n';
  if (res->status == 200) {
    out << "sent " << message.message_id << " from "
        << (message.from.empty() ? message.user_id : message.from) << " to " << url << '\n';
  }
  return res->status == 200 ? 0 : 1;
}

}  // namespace atalaya::daemon
