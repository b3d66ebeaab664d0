#include "rules/yaml_reader.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace atalaya::rules {

namespace {
const std::vector<std::string> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
}  // namespace

const char* NodeTypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
  }
  return "?";
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void YamlReader::Add(const YAML::Mark& mark, std::string message, bool warning) {
  Diagnostic d;
  d.file = files_[file_].name;
  d.warning = warning;
  d.message = std::move(message);
  if (!mark.is_null()) {
    d.line = mark.line + 1;
    d.column = mark.column + 1;
    d.source_line = LineOf(files_[file_].content, mark.line);
  }
  (warning ? report_.warnings : report_.errors).push_back(std::move(d));
}

void YamlReader::Error(const YAML::Node& at, std::string message) {
  Add(at.Mark(), std::move(message), false);
}

void YamlReader::Warning(const YAML::Node& at, std::string message) {
  Add(at.Mark(), std::move(message), true);
}

void YamlReader::FileError(size_t file, std::string message) {
  file_ = file;
  Add(YAML::Mark::null_mark(), std::move(message), false);
}

std::string YamlReader::LineOf(const std::string& content, int line) {
  std::istringstream in(content);
  std::string text;
  for (int i = 0; i <= line && std::getline(in, text); ++i) {
  }
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

YAML::Node YamlReader::Parse(const SourceFile& file) {
  try {
    return YAML::Load(file.content);
  } catch (const YAML::Exception& e) {
    Add(e.mark, "YAML syntax error: " + e.msg, false);
  }
  return YAML::Node();
}

std::string YamlReader::Where(const YAML::Node& node) const {
  return files_[file_].name + ":" + std::to_string(node.Mark().line + 1) + ":" +
         std::to_string(node.Mark().column + 1);
}

YAML::Node YamlReader::KeyNode(const YAML::Node& map, const std::string& key) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->first;
  }
  return map;
}

bool YamlReader::CheckKeys(const YAML::Node& map, const std::vector<std::string>& valid,
                           const std::string& what) {
  if (!map.IsMap()) {
    Error(map, "expected a mapping for " + what + ", got " + NodeTypeName(map));
    return false;
  }
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      Error(it->first, "keys of " + what + " must be plain names");
      continue;
    }
    const std::string& key = it->first.Scalar();
    if (std::find(valid.begin(), valid.end(), key) != valid.end()) continue;
    std::string nearest = NearestName(key, valid);
    Error(it->first, "unknown key " + Quote(key) + " in " + what +
                         (nearest.empty() ? "; valid keys: " + JoinNames(valid)
                                          : " (did you mean " + Quote(nearest) + "?)"));
  }
  return true;
}

bool YamlReader::GetString(const YAML::Node& node, const std::string& what, std::string* out) {
  if (!node.IsScalar()) {
    Error(node, "expected a string for " + Quote(what) + ", got " + NodeTypeName(node));
    return false;
  }
  *out = node.Scalar();
  return true;
}

bool YamlReader::GetNumber(const YAML::Node& node, const std::string& what, double* out) {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(v)) {
      *out = v;
      return true;
    }
  }
  Error(node, "expected a number for " + Quote(what) + ", got " +
                  (node.IsScalar() ? Quote(node.Scalar()) : NodeTypeName(node)));
  return false;
}

bool YamlReader::GetBool(const YAML::Node& node, const std::string& what, bool* out) {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "yes") return *out = true, true;
    if (s == "false" || s == "no") return *out = false, true;
  }
  Error(node, "expected true or false for " + Quote(what) + ", got " +
                  (node.IsScalar() ? Quote(node.Scalar()) : NodeTypeName(node)));
  return false;
}

bool YamlReader::GetStrings(const YAML::Node& node, const std::string& what,
                            std::vector<std::string>* out) {
  out->clear();
  if (node.IsScalar()) {
    out->push_back(node.Scalar());
    return true;
  }
  if (node.IsSequence()) {
    bool ok = true;
    for (const auto& item : node) {
      std::string s;
      if (GetString(item, what, &s)) {
        out->push_back(s);
      } else {
        ok = false;
      }
    }
    return ok;
  }
  Error(node, "expected a string or a list of strings for " + Quote(what) + ", got " +
                  NodeTypeName(node));
  return false;
}

bool YamlReader::GetRange(const YAML::Node& node, const std::string& what, Range* out) {
  if (!CheckKeys(node, {"min", "max"}, Quote(what))) return false;
  bool ok = true;
  double v = 0;
  if (node["min"]) {
    if (GetNumber(node["min"], what + ".min", &v))
      out->min = v;
    else
      ok = false;
  }
  if (node["max"]) {
    if (GetNumber(node["max"], what + ".max", &v))
      out->max = v;
    else
      ok = false;
  }
  if (ok && !out->min && !out->max) {
    Error(node, Quote(what) + " needs min, max or both");
    return false;
  }
  if (ok && out->Empty()) {
    Error(node, Quote(what) + " has min greater than max: it can never be true");
    return false;
  }
  return ok;
}

bool YamlReader::GetDuration(const YAML::Node& node, const std::string& what, int64_t* ms) {
  if (node.IsScalar() && !node.Scalar().empty()) {
    std::string s = node.Scalar();
    int64_t unit = 1000;
    switch (s.back()) {
      case 's':
        unit = 1000;
        s.pop_back();
        break;
      case 'm':
        unit = 60'000;
        s.pop_back();
        break;
      case 'h':
        unit = 3'600'000;
        s.pop_back();
        break;
      case 'd':
        unit = 86'400'000;
        s.pop_back();
        break;
      default:
        break;
    }
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end == s.c_str() + s.size() && v > 0 && v < 400LL * 86400) {
      *ms = v * unit;
      return true;
    }
  }
  Error(node, "expected a duration like 30s, 10m, 2h or 1d for " + Quote(what));
  return false;
}

bool YamlReader::GetClock(const YAML::Node& node, const std::string& what, int* minutes) {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    int h = 0;
    int m = 0;
    char extra = 0;
    if (std::sscanf(s.c_str(), "%d:%d%c", &h, &m, &extra) == 2 && h >= 0 && m >= 0 && m < 60 &&
        (h < 24 || (h == 24 && m == 0))) {
      *minutes = h * 60 + m;
      return true;
    }
  }
  Error(node, "expected a time of day like \"08:30\" for " + Quote(what));
  return false;
}

bool YamlReader::GetTimeWindow(const YAML::Node& node, const std::string& what, TimeWindow* w) {
  if (!CheckKeys(node, {"days", "from", "to"}, Quote(what))) return false;
  bool ok = true;
  if (node["days"]) {
    std::vector<std::string> days;
    if (GetStrings(node["days"], what + ".days", &days)) {
      w->days = 0;
      for (const auto& day : days) {
        auto it = std::find(kDays.begin(), kDays.end(), day);
        if (it == kDays.end()) {
          Error(node["days"], "unknown day " + Quote(day) + "; days are " + JoinNames(kDays));
          ok = false;
        } else {
          w->days |= static_cast<uint8_t>(1u << (it - kDays.begin()));
        }
      }
    } else {
      ok = false;
    }
  }
  if (node["from"] && !GetClock(node["from"], what + ".from", &w->from_minute)) ok = false;
  if (node["to"] && !GetClock(node["to"], what + ".to", &w->to_minute)) ok = false;
  return ok;
}

}  // namespace atalaya::rules
