#pragma once
// YamlReader: the strict reading half of the rule loader (loader.h). It parses YAML with
// positions, reads typed values (strings, numbers, booleans, ranges, durations, times of
// day) and reports every problem as a Diagnostic with `file:line:column`, the offending line
// and a caret, into a LoadReport. It never throws: yaml-cpp's exceptions stop here.
// Each reader belongs to one load on one thread; the loader derives from it.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rules/loader.h"
#include "rules/rule_set.h"

namespace atalaya::rules {

// "a scalar", "a list", "a mapping" or "nothing": for "expected X, got Y" messages.
const char* NodeTypeName(const YAML::Node& node);
std::string Quote(const std::string& s);                       // "\"s\""
std::string JoinNames(const std::vector<std::string>& names);  // "a, b, c"

class YamlReader {
 public:
  YamlReader(const std::vector<SourceFile>& files, LoadReport* report)
      : files_(files), report_(*report) {}

 protected:
  // Diagnostics, in the current file (file_).
  void Add(const YAML::Mark& mark, std::string message, bool warning);
  void Error(const YAML::Node& at, std::string message);
  void Warning(const YAML::Node& at, std::string message);
  void FileError(size_t file, std::string message);
  static std::string LineOf(const std::string& content, int line);

  // Parsing; a syntax error is reported and yields an undefined node.
  YAML::Node Parse(const SourceFile& file);
  std::string Where(const YAML::Node& node) const;
  static YAML::Node KeyNode(const YAML::Node& map, const std::string& key);

  // Typed reads: each reports what it expected and returns false on a wrong type.
  // CheckKeys reports every key not in `valid`, naming the nearest valid one.
  bool CheckKeys(const YAML::Node& map, const std::vector<std::string>& valid,
                 const std::string& what);
  bool GetString(const YAML::Node& node, const std::string& what, std::string* out);
  bool GetNumber(const YAML::Node& node, const std::string& what, double* out);
  bool GetBool(const YAML::Node& node, const std::string& what, bool* out);
  bool GetStrings(const YAML::Node& node, const std::string& what, std::vector<std::string>* out);
  bool GetRange(const YAML::Node& node, const std::string& what, Range* out);
  bool GetDuration(const YAML::Node& node, const std::string& what, int64_t* ms);
  bool GetClock(const YAML::Node& node, const std::string& what, int* minutes);
  bool GetTimeWindow(const YAML::Node& node, const std::string& what, TimeWindow* w);

  const std::vector<SourceFile>& files_;
  LoadReport& report_;
  size_t file_ = 0;  // index of the file being read, for diagnostics
};

}  // namespace atalaya::rules
