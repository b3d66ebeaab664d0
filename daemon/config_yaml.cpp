// Reading the YAML file: a walk over the document guided by a tree built from the settings
// table, so the table alone decides which keys exist. yaml-cpp throws; its exceptions stop
// here and become errors with the file position.

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "daemon/config_loader.h"

namespace atalaya::daemon {

// One level of the settings table: a mapping of named children, a list of such mappings
// (`accounts[]`), or a leaf setting.
struct ConfigLoader::SchemaNode {
  std::string name;
  const Setting* leaf = nullptr;
  bool list = false;
  std::vector<SchemaNode> children;

  SchemaNode* Child(const std::string& child_name) {
    for (SchemaNode& c : children) {
      if (c.name == child_name) return &c;
    }
    return nullptr;
  }
  const SchemaNode* Child(const std::string& child_name) const {
    return const_cast<SchemaNode*>(this)->Child(child_name);
  }
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const SchemaNode& c : children) names.push_back(c.name);
    return names;
  }
};

namespace {

using SchemaNode = ConfigLoader::SchemaNode;

SchemaNode BuildSchema() {
  SchemaNode root;
  for (const Setting& s : Settings()) {
    SchemaNode* node = &root;
    std::stringstream path(s.path);
    std::string segment;
    while (std::getline(path, segment, '.')) {
      bool list = segment.ends_with("[]");
      if (list) segment.resize(segment.size() - 2);
      SchemaNode* child = node->Child(segment);
      if (child == nullptr) {
        node->children.push_back({segment, nullptr, list, {}});
        child = &node->children.back();
      }
      node = child;
    }
    node->leaf = &s;
  }
  return root;
}

const SchemaNode& Schema() {
  static const SchemaNode kSchema = BuildSchema();
  return kSchema;
}

const char* KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a single value";
    default:
      return "nothing";
  }
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

namespace {

// yaml-cpp marks are 0-based; a node without a position (an empty value) borrows its key's.
Location At(const std::string& file, const YAML::Node& node, const YAML::Node& fallback) {
  YAML::Mark mark = node.Mark();
  if (mark.line < 0 || mark.is_null()) mark = fallback.Mark();
  if (mark.line < 0) return {file};
  return {file, mark.line + 1, mark.column + 1};
}

}  // namespace

void ConfigLoader::ReadFile() {
  if (path_.empty()) return;
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    AddError({path_}, std::string("cannot read the config file: ") + std::strerror(errno));
    file_unusable_ = true;
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    AddError({path_, e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
    file_unusable_ = true;
    return;
  }
  if (root.IsNull()) return;  // an empty file: every default
  if (!root.IsMap()) {
    AddError(At(path_, root, root),
             std::string("the config must be a mapping of settings, got ") + KindName(root));
    file_unusable_ = true;
    return;
  }
  try {
    WalkMapping(root, Schema(), "", 0);
  } catch (const std::exception& e) {
    AddError({path_}, std::string("internal error while reading the config: ") + e.what());
  }
}

void ConfigLoader::WalkMapping(const YAML::Node& node, const SchemaNode& schema,
                               const std::string& prefix, std::size_t account) {
  std::map<std::string, int> seen;  // key → line, to report duplicates
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies: the iterator hands out a temporary pair, references would dangle.
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    Location key_at = At(path_, key, key);
    if (!key.IsScalar()) {
      AddError(key_at, "keys must be plain names, got " + std::string(KindName(key)));
      continue;
    }
    const std::string name = key.Scalar();
    auto [prev, first] = seen.emplace(name, key_at.line);
    if (!first) {
      AddError(key_at, "duplicate key \"" + name + "\"" + (prefix.empty() ? "" : " in " + prefix) +
                           " (first at line " + std::to_string(prev->second) + ")");
      continue;
    }
    const SchemaNode* child = schema.Child(name);
    if (child == nullptr) {
      std::string message =
          "unknown key \"" + name + "\"" + (prefix.empty() ? "" : " in " + prefix);
      if (auto near = NearestName(name, schema.Names())) {
        message += "; did you mean \"" + *near + "\"?";
      } else {
        message += ".";
      }
      AddError(key_at, message + " Valid keys: " + Join(schema.Names()));
      continue;
    }
    WalkValue(key, value, *child, prefix.empty() ? name : prefix + "." + name, account);
  }
}

void ConfigLoader::WalkValue(const YAML::Node& key, const YAML::Node& value,
                             const SchemaNode& schema, const std::string& display,
                             std::size_t account) {
  if (schema.leaf != nullptr) return WalkLeaf(key, value, *schema.leaf, account);
  Location at = At(path_, value, key);
  if (schema.list) {
    if (value.IsNull()) return;  // "accounts:" with nothing: an empty list
    if (!value.IsSequence()) {
      AddError(at, display + ": expected a list, got " + KindName(value));
      return;
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
      const YAML::Node item = value[i];
      std::string item_path = display + "[" + std::to_string(i) + "]";
      if (!item.IsMap()) {
        AddError(At(path_, item, key), item_path + ": expected a mapping, got " + KindName(item));
        continue;
      }
      // Create the item even if it sets nothing, so its missing fields are reported.
      schema.children.front().leaf->field(result_.config, i);
      NoteAccount(display, i, At(path_, item, key));
      WalkMapping(item, schema, item_path, i);
    }
    return;
  }
  if (value.IsNull()) return;  // "server:" with nothing under it: all defaults
  if (!value.IsMap()) {
    AddError(at, display + ": expected a mapping, got " + KindName(value));
    return;
  }
  WalkMapping(value, schema, display, account);
}

void ConfigLoader::WalkLeaf(const YAML::Node& key, const YAML::Node& value, const Setting& setting,
                            std::size_t account) {
  SettingRef ref{&setting, account};
  const std::string name = DisplayPath(ref);
  // An empty value's own mark points at the next token: report at the key instead.
  Location at = value.IsNull() ? At(path_, key, key) : At(path_, value, key);
  if (value.IsNull()) {
    AddError(at, name + ": has no value (remove the key to use the default)");
    failed_.push_back({&setting, account});
    return;
  }
  if (setting.type != SettingType::kSecret) {
    if (!value.IsScalar()) {
      AddError(at, name + ": expected " + DescribeType(setting) + ", got " + KindName(value));
      failed_.push_back({&setting, account});
      return;
    }
    ApplyText(ref, value.Scalar(), at, base_dir_);
    return;
  }
  // An optional secret may be written "" to say "none"; anything else must be a reference.
  if (value.IsScalar() && value.Scalar().empty() && !setting.required) {
    SetSecret({ref, std::nullopt, "", base_dir_, at});
    return;
  }
  static const std::map<std::string, SecretSource> kSources = {
      {"env", SecretSource::kEnv},
      {"file", SecretSource::kFile},
      {"credential", SecretSource::kCredential}};
  if (value.IsMap() && value.size() == 1) {
    const YAML::Node source = value.begin()->first;
    const YAML::Node target = value.begin()->second;
    auto kind = source.IsScalar() ? kSources.find(source.Scalar()) : kSources.end();
    if (kind != kSources.end() && target.IsScalar() && !target.Scalar().empty()) {
      SetSecret({ref, SecretRef{kind->second, target.Scalar()}, "", base_dir_, at});
      return;
    }
  }
  AddError(at, name + ": " + kSecretFormHelp);
  failed_.push_back({&setting, account});
}

}  // namespace atalaya::daemon
