#include "daemon/config_loader.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

namespace atalaya::daemon {
namespace {

namespace fs = std::filesystem;

std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string AbsolutePath(const std::string& base_dir, const std::string& value) {
  fs::path p(value);
  if (p.is_relative()) p = fs::path(base_dir) / p;
  p = p.lexically_normal();
  // "dir/." normalises to "dir/": drop the separator so equal folders compare equal.
  if (!p.has_filename() && p != p.root_path()) p = p.parent_path();
  return p.string();
}

std::string CurrentDir() {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  return ec ? std::string("/") : cwd.string();
}

std::string ListPathOf(const Setting& setting) {
  return setting.path.substr(0, setting.path.find("[]"));
}

}  // namespace

ConfigLoader::ConfigLoader(std::string path, const std::vector<std::string>& environ_vars)
    : path_(std::move(path)), cwd_(CurrentDir()) {
  for (const std::string& entry : environ_vars) {
    std::size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    env_.emplace(entry.substr(0, eq), entry.substr(eq + 1));  // first one wins, like getenv
  }
  if (path_.empty()) {
    base_dir_ = cwd_;
  } else {
    fs::path abs = fs::path(cwd_) / path_;
    result_.config.source_path = abs.lexically_normal().string();
    base_dir_ = abs.lexically_normal().parent_path().string();
  }
}

std::string ConfigLoader::DisplayPath(const SettingRef& ref) {
  std::string path = ref.setting->path;
  std::size_t at = path.find("[]");
  if (at == std::string::npos) return path;
  return path.substr(0, at) + "[" + std::to_string(ref.account) + "]" + path.substr(at + 2);
}

void ConfigLoader::AddError(const Location& where, std::string message) {
  result_.errors.push_back({where.file, where.line, where.column, std::move(message)});
}

void ConfigLoader::NoteSet(const SettingRef& ref, const Location& where) {
  set_at_[{ref.setting, ref.account}] = where;
}

void ConfigLoader::NoteAccount(const std::string& list_path, std::size_t index,
                               const Location& where) {
  accounts_at_.try_emplace({list_path, index}, where);
}

void ConfigLoader::ApplyText(const SettingRef& ref, std::string_view text, const Location& where,
                             const std::string& base_dir) {
  const Setting& s = *ref.setting;
  const std::string name = DisplayPath(ref);
  auto fail = [&](std::string message) {
    AddError(where, name + ": " + message);
    failed_.push_back({ref.setting, ref.account});
  };
  FieldRef field = s.field(result_.config, ref.account);
  switch (s.type) {
    case SettingType::kInt: {
      int64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      bool whole = end == text.data() + text.size() && !text.empty();
      std::string range = "from " + std::to_string(s.min) + " to " + std::to_string(s.max);
      if (ec == std::errc::result_out_of_range && whole) {
        return fail("must be " + range + ", got " + std::string(text));
      }
      if (ec != std::errc() || !whole) {
        return fail("expected " + DescribeType(s) + ", got " + Quote(text));
      }
      if (value < s.min || value > s.max) {
        return fail("must be " + range + ", got " + std::string(text));
      }
      if (auto* i = std::get_if<int*>(&field)) {
        **i = static_cast<int>(value);  // bounds above fit in an int
      } else {
        *std::get<int64_t*>(field) = value;
      }
      break;
    }
    case SettingType::kEnum: {
      if (std::find(s.allowed.begin(), s.allowed.end(), text) == s.allowed.end()) {
        std::string message = "must be " + DescribeType(s) + "; got " + Quote(text);
        if (auto near = NearestName(text, s.allowed)) message += " (did you mean " + *near + "?)";
        return fail(message);
      }
      *std::get<std::string*>(field) = std::string(text);
      break;
    }
    case SettingType::kString:
    case SettingType::kPath: {
      if (s.check) {
        std::string problem = s.check(text);
        if (!problem.empty()) return fail(problem + ", got " + Quote(text));
      }
      std::string value(text);
      if (s.type == SettingType::kPath && !value.empty()) value = AbsolutePath(base_dir, value);
      *std::get<std::string*>(field) = std::move(value);
      break;
    }
    case SettingType::kSecret:
      return fail("internal: a secret reached ApplyText");  // callers route secrets elsewhere
  }
  NoteSet(ref, where);
}

void ConfigLoader::SetSecret(PendingSecret pending) {
  NoteSet(pending.ref, pending.where);
  for (PendingSecret& existing : secrets_) {
    if (existing.ref.setting == pending.ref.setting &&
        existing.ref.account == pending.ref.account) {
      existing = std::move(pending);  // a later source wins
      return;
    }
  }
  secrets_.push_back(std::move(pending));
}

void ConfigLoader::ResolveSecrets() {
  for (const PendingSecret& p : secrets_) {
    std::string* field =
        std::get<std::string*>(p.ref.setting->field(result_.config, p.ref.account));
    if (!p.source) {
      *field = p.literal;
      continue;
    }
    Result<std::string> value = ResolveSecret(*p.source, p.base_dir, env_);
    if (!value.ok()) {
      AddError(p.where, DisplayPath(p.ref) + ": " + value.status().message());
      failed_.push_back({p.ref.setting, p.ref.account});
      continue;
    }
    *field = std::move(*value);
  }
}

void ConfigLoader::CheckRequired() {
  auto failed = [&](const Setting* s, std::size_t account) {
    return std::find(failed_.begin(), failed_.end(), std::make_pair(s, account)) != failed_.end();
  };
  for (const Setting& s : Settings()) {
    if (!s.required || s.InList()) continue;
    if (failed(&s, 0)) continue;
    if (std::get<std::string*>(s.field(result_.config, 0))->empty()) {
      AddError({path_}, s.path + ": missing; it is required (" + s.doc + ")");
    }
  }
  for (const SettingList& list : SettingLists()) {
    std::vector<const Setting*> required;
    for (const Setting& s : Settings()) {
      if (s.required && s.InList() && ListPathOf(s) == list.path) required.push_back(&s);
    }
    std::string names;
    for (std::size_t i = 0; i < required.size(); ++i) {
      std::string leaf = required[i]->path.substr(required[i]->path.rfind('.') + 1);
      names += (i == 0 ? "" : i + 1 == required.size() ? " and " : ", ") + leaf;
    }
    std::size_t count = list.size(result_.config);
    for (std::size_t account = 0; account < count; ++account) {
      for (const Setting* s : required) {
        if (failed(s, account)) continue;
        if (!std::get<std::string*>(s->field(result_.config, account))->empty()) continue;
        std::string leaf = s->path.substr(s->path.rfind('.') + 1);
        auto at = accounts_at_.find({list.path, account});
        Location where = at == accounts_at_.end() ? Location{path_} : at->second;
        AddError(where, list.path + "[" + std::to_string(account) + "]: missing " + leaf +
                            " (every account needs " + names + ")");
      }
    }
  }
}

void ConfigLoader::CheckTlsPair() {
  const Setting* cert = FindSetting("server.tls_cert_file");
  const Setting* key = FindSetting("server.tls_key_file");
  const Config& c = result_.config;
  if (c.server.tls_cert_file.empty() == c.server.tls_key_file.empty()) return;
  const Setting* set = c.server.tls_cert_file.empty() ? key : cert;
  const Setting* unset = set == cert ? key : cert;
  auto at = set_at_.find({set, 0});
  AddError(at == set_at_.end() ? Location{path_} : at->second,
           set->path + ": must be set together with " + unset->path);
}

void ConfigLoader::CheckUniqueAccountIds() {
  for (const SettingList& list : SettingLists()) {
    const Setting* id = FindSetting(list.path + "[].id");
    if (id == nullptr) continue;
    std::map<std::string, std::size_t> first_use;
    for (std::size_t account = 0; account < list.size(result_.config); ++account) {
      const std::string& value = *std::get<std::string*>(id->field(result_.config, account));
      if (value.empty()) continue;
      auto [it, inserted] = first_use.emplace(value, account);
      if (inserted) continue;
      auto at = set_at_.find({id, account});
      AddError(at == set_at_.end() ? Location{path_} : at->second,
               DisplayPath({id, account}) + ": " + Quote(value) + " is already used by accounts[" +
                   std::to_string(it->second) + "]");
    }
  }
}

// The backoff grows from base_delay_ms up to max_delay_ms: a cap below the start is a typo.
void ConfigLoader::CheckRetryDelays() {
  const Config::Outbound::Retry& retry = result_.config.outbound.retry;
  if (retry.max_delay_ms >= retry.base_delay_ms) return;
  const Setting* max = FindSetting("outbound.retry.max_delay_ms");
  const Setting* base = FindSetting("outbound.retry.base_delay_ms");
  // Blame the one that was written: a raised base against the default cap names the base.
  if (auto at = set_at_.find({max, 0}); at != set_at_.end()) {
    AddError(at->second, max->path + ": must be at least " + base->path + " (" +
                             std::to_string(retry.base_delay_ms) + "), got " +
                             std::to_string(retry.max_delay_ms));
    return;
  }
  auto at = set_at_.find({base, 0});
  AddError(at == set_at_.end() ? Location{path_} : at->second,
           base->path + ": must be at most " + max->path + " (" +
               std::to_string(retry.max_delay_ms) + "), got " +
               std::to_string(retry.base_delay_ms));
}

void ConfigLoader::Finish() {
  ResolveSecrets();
  if (result_.config.site_dir.empty()) result_.config.site_dir = base_dir_;
  if (file_unusable_) return;
  CheckTlsPair();
  CheckRequired();
  CheckUniqueAccountIds();
  CheckRetryDelays();
}

}  // namespace atalaya::daemon
