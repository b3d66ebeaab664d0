// Environment and flag overrides: the same table as the file, reached by other names.

#include <algorithm>
#include <cctype>

#include "daemon/config_loader.h"

namespace atalaya::daemon {
namespace {

constexpr std::string_view kPrefix = "ATALAYA_";

std::string ListPathOf(const Setting& setting) {
  return setting.path.substr(0, setting.path.find("[]"));
}

}  // namespace

void ConfigLoader::ApplyEnvironment() {
  struct Override {
    std::string name;
    SettingRef ref;
    std::string value;
  };
  std::vector<Override> overrides;
  for (const auto& [name, value] : env_) {
    if (!name.starts_with(kPrefix)) continue;
    std::optional<SettingRef> ref = SettingFromEnvVar(name);
    if (!ref) {
      // Compare without the common prefix (it would make any name look near) and in upper
      // case (a lower-case spelling is a typo too).
      std::vector<std::string> known;
      for (const Setting& s : Settings()) known.push_back(EnvVarName(s).substr(kPrefix.size()));
      std::string wanted = name.substr(kPrefix.size());
      for (char& c : wanted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      std::string message = "names no setting";
      if (auto near = NearestName(wanted, known)) {
        message += "; did you mean " + std::string(kPrefix) + *near + "?";
      }
      AddError({name}, message);
      continue;
    }
    overrides.push_back({name, *ref, value});
  }
  // Lower list indexes first, so account 1 can follow account 0 created a line earlier.
  std::stable_sort(overrides.begin(), overrides.end(), [](const Override& a, const Override& b) {
    return a.ref.account < b.ref.account;
  });

  for (const Override& o : overrides) {
    const Setting& s = *o.ref.setting;
    if (s.InList()) {
      const std::string list = ListPathOf(s);
      std::size_t count = 0;
      for (const SettingList& l : SettingLists()) {
        if (l.path == list) count = l.size(result_.config);
      }
      if (o.ref.account > count) {
        AddError({o.name}, "there is no account " + std::to_string(o.ref.account) + " in " + list +
                               " (it has " + std::to_string(count) + "; the next new one is " +
                               std::to_string(count) + ")");
        continue;
      }
      NoteAccount(list, o.ref.account, {o.name});
      s.field(result_.config, o.ref.account);  // create it, so account n + 1 may follow
    }
    if (s.type == SettingType::kSecret) {
      // The variable holds the secret itself: the environment is already a secret store.
      if (o.value.empty()) {
        AddError({o.name}, DisplayPath(o.ref) + ": is empty");
        failed_.push_back({o.ref.setting, o.ref.account});
        continue;
      }
      SetSecret({o.ref, std::nullopt, o.value, cwd_, {o.name}});
      continue;
    }
    ApplyText(o.ref, o.value, {o.name}, cwd_);
  }
}

void ConfigLoader::ApplyFlags(const std::map<std::string, std::string>& flags) {
  for (const auto& [path, value] : flags) {
    Location where{"flag " + path};
    std::optional<SettingRef> ref = SettingFromPath(path);
    if (!ref) {
      AddError(where, "names no setting");
      continue;
    }
    if (ref->setting->InList()) {
      AddError(where, "list items cannot be set by flags; use the file or ATALAYA_ variables");
      continue;
    }
    if (ref->setting->type == SettingType::kSecret) {
      AddError(where,
               "secrets cannot be given as flags (the process list shows them); write secrets "
               "as {env: NAME}, {file: PATH} or {credential: NAME} in the file");
      continue;
    }
    ApplyText(*ref, value, where, cwd_);
  }
}

}  // namespace atalaya::daemon
