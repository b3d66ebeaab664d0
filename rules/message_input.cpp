#include "rules/message_input.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>

#include "rules/loader.h"

namespace atalaya::rules {
namespace {

const std::vector<std::string> kMessageKeys = {
    "channel",     "kind",   "visibility", "public",         "text", "rating",
    "attachments", "author", "segment",    "promotion_post", "at",   "history"};
const std::vector<std::string> kAuthorKeys = {
    "id",     "name",  "handle",   "followers", "following",
    "listed", "posts", "verified", "bio",       "account_age_days"};

class Reader {
 public:
  explicit Reader(std::vector<std::string>* errors) : errors_(*errors) {}

  // "line:column: message"; nodes built from flags have no position, only the message.
  void Error(const YAML::Node& at, const std::string& message) {
    if (at.Mark().is_null()) {
      errors_.push_back(message);
      return;
    }
    errors_.push_back(std::to_string(at.Mark().line + 1) + ":" +
                      std::to_string(at.Mark().column + 1) + ": " + message);
  }

  void CheckKeys(const YAML::Node& map, const std::vector<std::string>& valid,
                 const std::string& what) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      std::string key = it->first.Scalar();
      if (std::find(valid.begin(), valid.end(), key) != valid.end()) continue;
      std::string nearest = NearestName(key, valid);
      Error(it->first, "unknown key \"" + key + "\" in " + what +
                           (nearest.empty() ? "" : " (did you mean \"" + nearest + "\"?)"));
    }
  }

  bool String(const YAML::Node& n, const std::string& what, std::string* out) {
    if (!n.IsScalar()) {
      Error(n, "expected a string for \"" + what + "\"");
      return false;
    }
    *out = n.Scalar();
    return true;
  }

  bool Integer(const YAML::Node& n, const std::string& what, int64_t* out) {
    if (n.IsScalar()) {
      char* end = nullptr;
      long long v = std::strtoll(n.Scalar().c_str(), &end, 10);
      if (!n.Scalar().empty() && *end == '\0') {
        *out = v;
        return true;
      }
    }
    Error(n, "expected a whole number for \"" + what + "\"");
    return false;
  }

  bool Bool(const YAML::Node& n, const std::string& what, bool* out) {
    if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) {
      *out = n.Scalar() == "true";
      return true;
    }
    Error(n, "expected true or false for \"" + what + "\"");
    return false;
  }

  bool DurationMs(const YAML::Node& n, int64_t* out) {
    std::string s;
    if (!String(n, "ago", &s) || s.empty()) return false;
    int64_t unit = 1000;
    char last = s.back();
    if (last == 's' || last == 'm' || last == 'h' || last == 'd') {
      unit = last == 's' ? 1000 : last == 'm' ? 60'000 : last == 'h' ? 3'600'000 : 86'400'000;
      s.pop_back();
    }
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || v < 0) {
      Error(n, "expected a duration like 30s, 10m, 2h or 1d for \"ago\"");
      return false;
    }
    *out = v * unit;
    return true;
  }

 private:
  std::vector<std::string>& errors_;
};

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

Result<int64_t> ParseIsoTime(std::string_view text) {
  std::string s(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &consumed) != 5) {
    return InvalidArgument("expected a time like 2026-01-07T10:00:00-05:00, got \"" + s + "\"");
  }
  std::string rest = s.substr(static_cast<size_t>(consumed));
  if (!rest.empty() && rest[0] == ':') {
    int n = 0;
    if (std::sscanf(rest.c_str(), ":%2d%n", &sec, &n) != 1) {
      return InvalidArgument("bad seconds in time \"" + s + "\"");
    }
    rest = rest.substr(static_cast<size_t>(n));
  }
  int offset_minutes = 0;
  if (rest == "Z" || rest.empty()) {
    offset_minutes = 0;
  } else {
    int oh = 0, om = 0;
    char sign = 0;
    char extra = 0;
    if (std::sscanf(rest.c_str(), "%c%2d:%2d%c", &sign, &oh, &om, &extra) != 3 ||
        (sign != '+' && sign != '-')) {
      return InvalidArgument("bad UTC offset in time \"" + s + "\"");
    }
    offset_minutes = (sign == '-' ? -1 : 1) * (oh * 60 + om);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
    return InvalidArgument("time out of range: \"" + s + "\"");
  }
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t minutes = days * 1440 + h * 60 + mi - offset_minutes;
  return (minutes * 60 + sec) * 1000;
}

bool ReadMessage(const YAML::Node& node, MessageInput* out, std::vector<std::string>* errors) {
  size_t before = errors->size();
  Reader r(errors);
  if (!node.IsMap()) {
    r.Error(node, "a message must be a mapping (channel, kind, text, author, ...)");
    return false;
  }
  r.CheckKeys(node, kMessageKeys, "message");
  Event& e = out->event;
  Context& c = out->context;
  e.kind = EventKind::kMessage;
  e.timestamp_ms = kDefaultTestTimeMs;
  std::string s;
  if (node["channel"] && r.String(node["channel"], "channel", &s)) {
    auto channel = ParseChannel(s);
    if (channel)
      e.channel = *channel;
    else
      r.Error(node["channel"], "unknown channel \"" + s + "\"");
  }
  if (node["kind"] && r.String(node["kind"], "kind", &s)) {
    auto kind = ParseEventKind(s);
    if (kind)
      e.kind = *kind;
    else
      r.Error(node["kind"], "unknown event kind \"" + s + "\"");
  }
  // Comments, mentions and reviews are public unless said otherwise.
  if (e.kind == EventKind::kComment || e.kind == EventKind::kMention ||
      e.kind == EventKind::kReview) {
    e.visibility = Visibility::kPublic;
  }
  if (node["visibility"] && r.String(node["visibility"], "visibility", &s)) {
    if (s == "public" || s == "private") {
      e.visibility = s == "public" ? Visibility::kPublic : Visibility::kPrivate;
    } else {
      r.Error(node["visibility"], "\"visibility\" must be public or private");
    }
  }
  bool flag = false;
  if (node["public"] && r.Bool(node["public"], "public", &flag)) {
    e.visibility = flag ? Visibility::kPublic : Visibility::kPrivate;
  }
  if (node["text"]) r.String(node["text"], "text", &e.text);
  int64_t number = 0;
  if (node["rating"] && r.Integer(node["rating"], "rating", &number)) {
    e.rating = static_cast<int>(number);
  }
  if (node["attachments"]) {
    const YAML::Node& list = node["attachments"];
    if (!list.IsSequence()) {
      r.Error(list, "\"attachments\" must be a list of kinds (image, audio, ...)");
    } else {
      for (const auto& item : list) {
        Attachment a;
        if (r.String(item, "attachments", &a.kind)) e.attachments.push_back(a);
      }
    }
  }
  int64_t age_days = -1;
  if (node["author"]) {
    const YAML::Node& a = node["author"];
    if (!a.IsMap()) {
      r.Error(a, "\"author\" must be a mapping");
    } else {
      r.CheckKeys(a, kAuthorKeys, "author");
      if (a["id"]) r.String(a["id"], "author.id", &e.author.id);
      if (a["name"]) r.String(a["name"], "author.name", &e.author.name);
      if (a["handle"]) r.String(a["handle"], "author.handle", &e.author.handle);
      if (a["followers"]) r.Integer(a["followers"], "author.followers", &e.author.followers);
      if (a["following"]) r.Integer(a["following"], "author.following", &e.author.following);
      if (a["listed"]) r.Integer(a["listed"], "author.listed", &e.author.listed);
      if (a["posts"]) r.Integer(a["posts"], "author.posts", &e.author.posts);
      if (a["verified"]) r.String(a["verified"], "author.verified", &e.author.verified_type);
      if (a["bio"]) r.String(a["bio"], "author.bio", &e.author.bio);
      if (a["account_age_days"] &&
          r.Integer(a["account_age_days"], "author.account_age_days", &number)) {
        age_days = number;  // resolved against `at` below
      }
    }
  }
  if (e.author.id.empty()) e.author.id = "test-author";
  if (node["segment"]) r.String(node["segment"], "segment", &c.segment);
  if (node["promotion_post"]) r.Bool(node["promotion_post"], "promotion_post", &c.promotion_post);
  if (node["at"] && r.String(node["at"], "at", &s)) {
    Result<int64_t> t = ParseIsoTime(s);
    if (t.ok())
      e.timestamp_ms = *t;
    else
      r.Error(node["at"], t.status().message());
  }
  if (age_days >= 0) e.author.account_created_ms = e.timestamp_ms - age_days * 86'400'000;
  c.now_ms = e.timestamp_ms;
  c.recent = out->history.get();
  if (node["history"]) {
    const YAML::Node& h = node["history"];
    if (!h.IsSequence()) {
      r.Error(h, "\"history\" must be a list of {text, ago}");
    } else {
      for (const auto& item : h) {
        if (!item.IsMap()) {
          r.Error(item, "a history entry must be {text, ago}");
          continue;
        }
        r.CheckKeys(item, {"text", "ago"}, "history entry");
        std::string text;
        int64_t ago = 0;
        if (item["text"] && r.String(item["text"], "text", &text) && item["ago"] &&
            r.DurationMs(item["ago"], &ago)) {
          out->history->Add(e.channel, e.author.id, text, e.timestamp_ms - ago);
        } else if (!item["text"] || !item["ago"]) {
          r.Error(item, "a history entry needs \"text\" and \"ago\"");
        }
      }
    }
  }
  return errors->size() == before;
}

}  // namespace atalaya::rules
