#pragma once
// ConfigLoader: the steps behind LoadConfig (config.h), in the order of precedence:
// defaults (the Config's own initialisers) → file → environment → flags → whole-config
// checks. Each step records errors and carries on, so one run reports every problem.
//
// Secrets are only *named* while reading; they are resolved in Finish(), once the winning
// source of each is known (a `{credential: ...}` in the file that an environment variable
// overrides is never read). Internal to the daemon module; one loader per load, one thread.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/config.h"
#include "daemon/secret.h"
#include "daemon/settings.h"

namespace YAML {
class Node;
}

namespace atalaya::daemon {

// Where a value came from: a file position, or an environment variable / flag (line 0).
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};

class ConfigLoader {
 public:
  ConfigLoader(std::string path, const std::vector<std::string>& environ_vars);

  void ReadFile();                                                   // config_yaml.cpp
  void ApplyEnvironment();                                           // config_overrides.cpp
  void ApplyFlags(const std::map<std::string, std::string>& flags);  // config_overrides.cpp
  void Finish();
  ConfigLoad Take() { return std::move(result_); }

  // "channels.whatsapp.accounts[0].id" for a list item, else the setting's path.
  static std::string DisplayPath(const SettingRef& ref);

  struct SchemaNode;  // the settings table as a tree (config_yaml.cpp)

 private:
  struct PendingSecret {
    SettingRef ref;
    std::optional<SecretRef> source;  // nullopt: `literal` holds the value (environment)
    std::string literal;
    std::string base_dir;
    Location where;
  };

  void AddError(const Location& where, std::string message);
  // Parses and stores a non-secret value given as text; reports what is wrong.
  void ApplyText(const SettingRef& ref, std::string_view text, const Location& where,
                 const std::string& base_dir);
  void SetSecret(PendingSecret pending);
  void NoteSet(const SettingRef& ref, const Location& where);
  void NoteAccount(const std::string& list_path, std::size_t index, const Location& where);
  void ResolveSecrets();
  void CheckRequired();
  void CheckTlsPair();
  void CheckUniqueAccountIds();
  void CheckRetryDelays();

  // config_yaml.cpp
  void WalkMapping(const YAML::Node& node, const SchemaNode& schema, const std::string& prefix,
                   std::size_t account);
  void WalkValue(const YAML::Node& key, const YAML::Node& value, const SchemaNode& schema,
                 const std::string& display, std::size_t account);
  void WalkLeaf(const YAML::Node& key, const YAML::Node& value, const Setting& setting,
                std::size_t account);

  std::string path_;            // as the caller wrote it: shown in errors
  bool file_unusable_ = false;  // unreadable or not YAML: whole-config checks would be noise
  std::string base_dir_;        // the config file's folder, absolute
  std::string cwd_;             // where environment and flag paths resolve
  std::map<std::string, std::string> env_;
  ConfigLoad result_;
  std::vector<PendingSecret> secrets_;
  std::map<std::pair<const Setting*, std::size_t>, Location> set_at_;
  std::vector<std::pair<const Setting*, std::size_t>> failed_;  // errors already reported
  std::map<std::pair<std::string, std::size_t>, Location> accounts_at_;
};

}  // namespace atalaya::daemon
