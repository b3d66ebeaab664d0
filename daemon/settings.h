#pragma once
// The settings table: one entry per configuration setting, the single source of truth for
// the YAML schema, the `ATALAYA_*` environment overrides, the flag overrides, the bounds and
// allowed values, and the documentation in `systemd/atalaya.example.yaml` (a test keeps the
// sample and the table in step).
//
// A setting is named by its dotted path (`server.listen`). A segment ending in `[]` is a list
// of mappings: `channels.whatsapp.accounts[].app_secret` is the `app_secret` of every account.
// The table is built once, on first use, and is immutable afterwards: any thread may read it.
// Nothing here reads files or the environment; see config.h for loading.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/config.h"

namespace atalaya::daemon {

enum class SettingType {
  kString,  // free text, optionally checked by `check`
  kInt,     // a whole number within [min, max]
  kEnum,    // one of `allowed`
  kPath,    // a file or folder; a relative one resolves against the config file's folder
  kSecret,  // `{env: NAME}`, `{file: PATH}` or `{credential: NAME}`; never printed
};

// Where a setting's value lands in a Config. `account` is the list index for settings inside
// a list (the accessor grows the list as needed) and is ignored otherwise.
using FieldRef = std::variant<std::string*, int*, int64_t*>;
using FieldAccessor = std::function<FieldRef(Config&, std::size_t account)>;

struct Setting {
  std::string path;  // "server.listen", "channels.whatsapp.accounts[].id"
  SettingType type = SettingType::kString;
  int64_t min = 0;  // kInt bounds, inclusive
  int64_t max = 0;
  std::vector<std::string> allowed;  // kEnum values
  // kString: returns "" when the value is fine, else what is wrong (without the path).
  std::function<std::string(std::string_view)> check;
  bool required = false;  // must be non-empty after loading (in every list item, for lists)
  std::string doc;        // one line, shown by tools and mirrored in the sample config
  FieldAccessor field;

  bool InList() const { return path.find("[]") != std::string::npos; }
};

// A list of mappings in the table, e.g. "channels.whatsapp.accounts".
struct SettingList {
  std::string path;
  std::function<std::size_t(const Config&)> size;
};

// Every setting, in the order they are documented.
const std::vector<Setting>& Settings();
const std::vector<SettingList>& SettingLists();

// The setting with exactly this table path (with `[]` for list items), or nullptr.
const Setting* FindSetting(std::string_view path);

// The environment variable for a setting: ATALAYA_ + path upper-cased, levels joined by "__",
// list items numbered: "server.listen" → "ATALAYA_SERVER__LISTEN",
// "channels.whatsapp.accounts[].id" with index 0 → "ATALAYA_CHANNELS__WHATSAPP__ACCOUNTS__0__ID".
std::string EnvVarName(const Setting& setting, std::size_t account = 0);

// A setting named with a concrete list index, as environment variables and flags do.
struct SettingRef {
  const Setting* setting = nullptr;
  std::size_t account = 0;
};
// "ATALAYA_STORE__SYNCHRONOUS" → store.synchronous; nullopt when it names no setting.
std::optional<SettingRef> SettingFromEnvVar(std::string_view name);
// "store.synchronous", "channels.whatsapp.accounts[0].id" → the setting; nullopt if none.
std::optional<SettingRef> SettingFromPath(std::string_view path);

// The current value of a non-secret setting in `config`, as text (for docs and tests).
std::string SettingValueText(const Setting& setting, const Config& config, std::size_t account);

// "a string", "an integer from 1 to 1024", "one of full, normal", ... for messages and docs.
std::string DescribeType(const Setting& setting);

// Optimal-string-alignment edit distance (a transposition counts as one edit).
std::size_t EditDistance(std::string_view a, std::string_view b);
// The candidate nearest to `name`, when it is near enough to be a plausible typo.
std::optional<std::string> NearestName(std::string_view name,
                                       const std::vector<std::string>& candidates);

}  // namespace atalaya::daemon
