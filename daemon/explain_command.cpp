#include "daemon/explain_command.h"

#include <charconv>
#include <ostream>

#include "daemon/cli_args.h"
#include "daemon/config.h"
#include "rules/tools.h"
#include "store/store.h"

namespace atalaya::daemon {
namespace {

int ExplainStoredMessage(const CliArgs& args, const std::vector<std::string>& env,
                         std::ostream& out, std::ostream& err) {
  const std::string id_text = args.Get("message");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc() || end != id_text.data() + id_text.size() || id <= 0) {
    err << "atalaya explain: --message takes a stored message id (a positive number), got \""
        << id_text << "\"\n";
    return 2;
  }
  std::string state_dir = args.Get("state-dir");
  if (state_dir.empty()) {
    if (!args.Has("config")) {
      err << "atalaya explain: --message needs --config FILE or --state-dir DIR\n";
      return 2;
    }
    ConfigLoad load = LoadConfig(args.Get("config"), env, {});
    if (!load.errors.empty()) {
      for (const ConfigError& e : load.errors) err << e.ToString() << '\n';
      return 2;
    }
    state_dir = load.config.store.state_dir;
  }
  store::SqliteOptions options;
  options.path = state_dir + "/atalaya.db";
  auto store = store::OpenSqliteStore(options);
  if (!store.ok()) {
    err << "atalaya explain: " << store.status().message() << '\n';
    return 1;
  }
  auto stored = (*store)->GetEvent(id);
  if (!stored.ok()) {
    err << "atalaya explain: " << stored.status().message() << '\n';
    return 1;
  }
  if (!stored->has_value()) {
    err << "atalaya explain: no stored message " << id << '\n';
    return 1;
  }
  const store::StoredEvent& event = **stored;
  out << "message         " << event.id << " (" << ChannelName(event.event.channel) << " "
      << EventKindName(event.event.kind) << ", " << VisibilityName(event.event.visibility)
      << ", conversation " << event.conversation_id << ")\n";
  if (!event.decision) {
    out << "no decision: the rules do not apply to this event, or no rule set was loaded\n";
    return 0;
  }
  out << rules::FormatDecision(*event.decision);
  return 0;
}

}  // namespace

int RunExplainCommand(const std::vector<std::string>& args, const std::vector<std::string>& env,
                      std::ostream& out, std::ostream& err) {
  bool wants_message = false;
  for (const std::string& a : args) {
    wants_message = wants_message || a == "--message" || a.rfind("--message=", 0) == 0;
  }
  if (!wants_message) return rules::RunExplain(args, out, err);
  auto parsed = ParseCliArgs(args, {{"message", "config", "state-dir"}, {}});
  if (!parsed.ok() || !parsed->positional.empty()) {
    err << "usage: atalaya explain --message ID [--config FILE | --state-dir DIR]\n";
    if (!parsed.ok()) err << "atalaya explain: " << parsed.status().message() << '\n';
    return 2;
  }
  return ExplainStoredMessage(*parsed, env, out, err);
}

}  // namespace atalaya::daemon
