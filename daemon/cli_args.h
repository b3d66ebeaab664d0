#pragma once
// CliArgs: the command line of `atalaya <command> [--flag value | --flag=value | --switch]
// [positional...]`, checked against the flags each command declares so a typo is an error,
// not a silently ignored option.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace atalaya::daemon {

struct FlagSpec {
  std::set<std::string> with_value;  // "--config" takes a value
  std::set<std::string> switches;    // "--public" takes none
};

struct CliArgs {
  std::map<std::string, std::string> flags;  // name without "--" → value ("" for switches)
  std::vector<std::string> positional;

  bool Has(const std::string& name) const { return flags.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const;
};

// Parses argv after the command name.
Result<CliArgs> ParseCliArgs(const std::vector<std::string>& args, const FlagSpec& spec);

}  // namespace atalaya::daemon
