#pragma once
// Loading a rule set: read the YAML files of a directory (sorted by name) → check the total
// size against the cap before parsing anything → parse with positions → collect lists,
// brands and vocabularies from all files → compile every section into one immutable RuleSet.
//
// Errors are values: every problem found is reported, not only the first, each as
// `file:line:column: message` followed by the offending line and a caret under the column.
// Warnings (a list never used, a rule testing a label decided after its stage, a value never
// assigned) never stop the load. On any error no RuleSet is produced, so a daemon keeps
// serving its previous one. Never throws; yaml-cpp's exceptions are caught here.
// Thread-safe: loads share nothing.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "rules/rule_set.h"

namespace atalaya::rules {

struct Diagnostic {
  std::string file;  // as given (directory-relative for LoadRuleSet)
  int line = 0;      // 1-based; 0 = the whole file or set
  int column = 0;    // 1-based
  std::string message;
  std::string source_line;  // the offending line, "" when there is none
  bool warning = false;
  // "file:line:column: message" (+ "warning: " before warnings' messages), then the line and
  // a caret on the next two lines when known.
  std::string ToString() const;
};

struct LoadReport {
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;
};

struct LoadOptions {
  size_t max_total_bytes = 4 * 1024 * 1024;  // the whole set; checked before parsing
};

struct SourceFile {
  std::string name;
  std::string content;
};

// Loads every *.yaml / *.yml file directly in `dir`. On failure the Status (kInvalidArgument,
// or kPayloadTooLarge for the size cap, kNotFound for a missing directory) carries all errors,
// one formatted Diagnostic after another; `report` (optional) receives them structured, plus
// the warnings.
Result<std::shared_ptr<const RuleSet>> LoadRuleSet(const std::string& dir,
                                                   const LoadOptions& options,
                                                   LoadReport* report = nullptr);

// The same from files already in memory (tests, the admin endpoint).
Result<std::shared_ptr<const RuleSet>> CompileRuleSet(const std::vector<SourceFile>& files,
                                                      const LoadOptions& options,
                                                      LoadReport* report = nullptr);

// The candidate in `valid` closest to `word` by edit distance, or "" when none is close
// enough to be a plausible typo.
std::string NearestName(const std::string& word, const std::vector<std::string>& valid);

}  // namespace atalaya::rules
