#include "daemon/cli_args.h"

namespace atalaya::daemon {

std::string CliArgs::Get(const std::string& name, const std::string& fallback) const {
  auto it = flags.find(name);
  return it == flags.end() ? fallback : it->second;
}

Result<CliArgs> ParseCliArgs(const std::vector<std::string>& args, const FlagSpec& spec) {
  CliArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      out.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (spec.switches.count(name)) {
      if (value) return InvalidArgument("--" + name + " takes no value");
      out.flags[name] = "";
    } else if (spec.with_value.count(name)) {
      if (!value) {
        if (i + 1 >= args.size()) return InvalidArgument("--" + name + " needs a value");
        value = args[++i];
      }
      out.flags[name] = *value;
    } else {
      std::string known;
      for (const auto& f : spec.with_value) known += " --" + f;
      for (const auto& f : spec.switches) known += " --" + f;
      return InvalidArgument("unknown option --" + name + " (known:" + known + ")");
    }
  }
  return out;
}

}  // namespace atalaya::daemon
