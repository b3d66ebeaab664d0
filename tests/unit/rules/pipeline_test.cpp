// The decision pipeline over small rule sets written for each behaviour.
#include "rules/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "rules/loader.h"
#include "rules/message_input.h"

namespace atalaya::rules {
namespace {

std::shared_ptr<const RuleSet> Compile(const std::string& yaml) {
  LoadReport report;
  auto rs = CompileRuleSet({{"rules.yaml", yaml}}, LoadOptions(), &report);
  EXPECT_TRUE(rs.ok()) << rs.status().message();
  return rs.ok() ? *rs : nullptr;
}

Event Text(const std::string& text, Channel channel = Channel::kWhatsApp) {
  Event e;
  e.channel = channel;
  e.kind = EventKind::kMessage;
  e.text = text;
  e.author.id = "a1";
  e.timestamp_ms = kDefaultTestTimeMs;
  return e;
}

// "stage rule: detail" per trace step.
std::vector<std::string> Trace(const Decision& d) {
  std::vector<std::string> out;
  for (const auto& s : d.trace) out.push_back(s.stage + " " + s.rule + ": " + s.detail);
  return out;
}

constexpr const char* kKinds = R"(
lists:
  quejas: [pesimo, "no funciona"]
  preguntas: [cuando, donde]
  ruido: [hola, gracias, ok, "👍"]
filters:
  - {id: ruido, when: {only_words: ruido}, action: drop, reason: ruido}
  - {id: promo, when: {promotion_post: true}, action: count, reason: promocion}
classify:
  kind:
    values: [consulta, queja]
    default: consulta
    rules:
      - {id: queja, when: {list: quejas}, value: queja}
      - {id: pregunta, when: {list: preguntas}, value: consulta}
routing:
  default: {queue: general}
  rules:
    - {id: quejas, when: {classified: {kind: queja}}, queue: reclamos, skills: [senior]}
)";

TEST(PipelineTest, FirstMatchClassifiesAndRoutesWithATrace) {
  auto rs = Compile(kKinds);
  ASSERT_TRUE(rs);
  Decision d = Decide(*rs, Text("¿Cuándo? el módem NO FUNCIONA, pésimooo"), Context());
  EXPECT_EQ(d.filter, FilterAction::kNone);
  EXPECT_EQ(d.Label("kind"), "queja");
  EXPECT_EQ(d.queue, "reclamos");
  EXPECT_EQ(d.skills, std::vector<std::string>{"senior"});
  EXPECT_EQ(d.ruleset_version, rs->version);
  EXPECT_EQ(Trace(d), (std::vector<std::string>{
                          "classify.kind queja: queja: list quejas: \"pesimo\", \"no funciona\"",
                          "route quejas: queue reclamos: kind=queja",
                      }));
}

TEST(PipelineTest, DefaultsApplyWhenNoRuleFires) {
  auto rs = Compile(kKinds);
  Decision d = Decide(*rs, Text("quiero un plan"), Context());
  EXPECT_EQ(d.Label("kind"), "consulta");
  EXPECT_EQ(d.queue, "general");
  EXPECT_EQ(Trace(d), (std::vector<std::string>{"classify.kind default: consulta",
                                                "route default: queue general"}));
}

TEST(PipelineTest, DropStopsThePipelineAndCountContinues) {
  auto rs = Compile(kKinds);
  Decision dropped = Decide(*rs, Text("Holaaa 👍👍"), Context());
  EXPECT_EQ(dropped.filter, FilterAction::kDrop);
  EXPECT_EQ(dropped.filter_reason, "ruido");
  EXPECT_EQ(dropped.filter_rule, "ruido");
  EXPECT_TRUE(dropped.labels.empty());
  EXPECT_EQ(dropped.queue, "");
  EXPECT_EQ(Trace(dropped),
            std::vector<std::string>{"filter ruido: drop (ruido): only words from ruido"});

  Context promo;
  promo.promotion_post = true;
  Decision counted = Decide(*rs, Text("pésimo sorteo"), promo);
  EXPECT_EQ(counted.filter, FilterAction::kCount);
  EXPECT_EQ(counted.Label("kind"), "queja");
  EXPECT_EQ(counted.queue, "reclamos");
}

TEST(PipelineTest, PostsTaggedInSettingsArePromotions) {
  auto rs = Compile(std::string("settings:\n  promotion_posts: [\"PAGE_42\"]\n") + kKinds);
  Event under_promo = Text("quiero participar @ana @luis");
  under_promo.kind = EventKind::kComment;
  under_promo.thread_id = "PAGE_42";
  Decision counted = Decide(*rs, under_promo, Context());
  EXPECT_EQ(counted.filter, FilterAction::kCount);
  EXPECT_EQ(counted.filter_reason, "promocion");

  Event elsewhere = under_promo;
  elsewhere.thread_id = "PAGE_7";
  EXPECT_EQ(Decide(*rs, elsewhere, Context()).filter, FilterAction::kNone);
}

TEST(PipelineTest, RealRequestsAreNotNoise) {
  auto rs = Compile(kKinds);
  EXPECT_EQ(Decide(*rs, Text("hola, no funciona"), Context()).filter, FilterAction::kNone);
  EXPECT_EQ(Decide(*rs, Text(""), Context()).filter, FilterAction::kNone);  // no tokens
}

TEST(PipelineTest, SumModeAddsWeightsAndPerKeywordCounts) {
  auto rs = Compile(R"(
lists:
  tecnico: [wifi, modem, router]
  cuenta: [clave]
classify:
  topic:
    values: [tecnico, cuenta, general]
    default: general
    mode: sum
    rules:
      - {id: cuenta, when: {list: cuenta}, value: cuenta, weight: 2.5}
      - {id: tecnico, when: {list: tecnico}, value: tecnico, weight: 1, per_keyword: true}
routing: {default: {queue: q}}
)");
  ASSERT_TRUE(rs);
  EXPECT_EQ(Decide(*rs, Text("la clave del wifi"), Context()).Label("topic"), "cuenta");
  Decision d = Decide(*rs, Text("la clave del wifi del modem y el router"), Context());
  EXPECT_EQ(d.Label("topic"), "tecnico");
  EXPECT_EQ(Trace(d)[1],
            "classify.topic tecnico: tecnico +3: list tecnico: \"wifi\", \"modem\", "
            "\"router\"");
  EXPECT_EQ(Trace(d)[2], "classify.topic total: tecnico = 3");
}

TEST(PipelineTest, ConditionsOverEventAuthorAndContext) {
  auto rs = Compile(R"(
settings:
  utc_offset: "-05:00"
  business_hours: {days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00"}
brands:
  - {name: Tiendamax, max_distance: 1}
classify:
  flags:
    values: [publico_x, adjunto, estrellas, influyente, vip, horario, fuera, marca, gritos, ninguna]
    default: ninguna
    rules:
      - {id: a, when: {channel: twitter, visibility: public, event: mention}, value: publico_x}
      - {id: b, when: {attachment: image}, value: adjunto}
      - {id: c, when: {rating: {max: 2}}, value: estrellas}
      - {id: d, when: {author: {followers: {min: 10000}, verified: [blue, business]}}, value: influyente}
      - {id: e, when: {segment: vip}, value: vip}
      - {id: f, when: {brand: any, not: {business_hours: false}}, value: marca}
      - {id: g, when: {uppercase: {min: 0.9}, words: {min: 2}}, value: gritos}
      - {id: h, when: {business_hours: false}, value: fuera}
routing: {default: {queue: q}}
)");
  ASSERT_TRUE(rs);
  Event mention = Text("hola", Channel::kTwitter);
  mention.kind = EventKind::kMention;
  mention.visibility = Visibility::kPublic;
  EXPECT_EQ(Decide(*rs, mention, Context()).Label("flags"), "publico_x");

  Event photo = Text("");
  photo.attachments.push_back({.kind = "image"});
  EXPECT_EQ(Decide(*rs, photo, Context()).Label("flags"), "adjunto");

  Event review = Text("mala");
  review.kind = EventKind::kReview;
  review.rating = 1;
  EXPECT_EQ(Decide(*rs, review, Context()).Label("flags"), "estrellas");

  Event famous = Text("hola");
  famous.author.followers = 50000;
  famous.author.verified_type = "blue";
  EXPECT_EQ(Decide(*rs, famous, Context()).Label("flags"), "influyente");
  famous.author.verified_type = "";
  EXPECT_EQ(Decide(*rs, famous, Context()).Label("flags"), "ninguna");

  Context vip;
  vip.segment = "vip";
  EXPECT_EQ(Decide(*rs, Text("hola"), vip).Label("flags"), "vip");

  // kDefaultTestTimeMs is Wednesday 10:00 at UTC-5: inside business hours.
  Decision brand = Decide(*rs, Text("compre en tiendamx"), Context());
  EXPECT_EQ(brand.Label("flags"), "marca");
  EXPECT_EQ(Trace(brand)[0],
            "classify.flags f: marca: brand Tiendamax: \"tiendamx\" (distance 1); "
            "not(condition)");
  EXPECT_EQ(Decide(*rs, Text("NO ME RESPONDEN"), Context()).Label("flags"), "gritos");

  Context night;
  night.now_ms = kDefaultTestTimeMs + 10 * 3'600'000;  // 20:00 local
  EXPECT_EQ(Decide(*rs, Text("hola"), night).Label("flags"), "fuera");
  Context saturday;
  saturday.now_ms = kDefaultTestTimeMs + 3 * 86'400'000;
  EXPECT_EQ(Decide(*rs, Text("hola"), saturday).Label("flags"), "fuera");
}

constexpr const char* kDuplicateFilter = R"(
filters:
  - {id: dup, when: {duplicate: {within: 10m}}, action: drop, reason: duplicado}
routing: {default: {queue: q}}
)";

TEST(PipelineTest, DuplicatesUseTheRecentTextsOfTheSameAuthor) {
  auto rs = Compile(kDuplicateFilter);
  ASSERT_TRUE(rs);
  InMemoryRecentTexts recent;
  Context context;
  context.recent = &recent;
  Event e = Text("Mi pedido NO llega!!");
  EXPECT_EQ(Decide(*rs, e, context).filter, FilterAction::kNone);
  recent.Add(e.channel, "a1", "mi pedido no llega!", e.timestamp_ms - 5 * 60'000);
  EXPECT_EQ(Decide(*rs, e, context).filter, FilterAction::kDrop);

  Event other_author = e;
  other_author.author.id = "a2";
  EXPECT_EQ(Decide(*rs, other_author, context).filter, FilterAction::kNone);
  Event later = e;
  later.timestamp_ms += 20 * 60'000;
  EXPECT_EQ(Decide(*rs, later, context).filter, FilterAction::kNone);
  EXPECT_EQ(Decide(*rs, e, Context()).filter, FilterAction::kNone);  // no state: never a dup
}

// The daemon hands the rules the key it stores with the message, and the duplicate condition
// looks that key up instead of normalizing and hashing the text once more.
TEST(PipelineTest, DuplicatesLookUpTheKeyTheCallerGives) {
  auto rs = Compile(kDuplicateFilter);
  ASSERT_TRUE(rs);
  Event e = Text("Mi pedido NO llega!!");
  InMemoryRecentTexts recent;
  recent.Add(e.channel, "a1", "mi pedido no llega!", e.timestamp_ms - 5 * 60'000);
  Context context;
  context.recent = &recent;
  const std::string own_key = TextKey(e.text);
  context.text_key = &own_key;
  EXPECT_EQ(Decide(*rs, e, context).filter, FilterAction::kDrop);
  const std::string other_key = TextKey("otro texto");
  context.text_key = &other_key;
  EXPECT_EQ(Decide(*rs, e, context).filter, FilterAction::kNone);
}

constexpr const char* kInfluence = R"(
lists:
  prensa: [periodista]
influence:
  terms:
    - {name: alcance, field: followers, scale: log10, divide: 7, weight: 0.5}
    - {name: verificado, verified: {government: 1, blue: 0.2}, weight: 0.3}
    - {name: prensa, when: {author: {bio: prensa}}, weight: 0.2}
  penalties:
    - {name: granja, value: 0.5, when: {author: {follow_ratio: {min: 20}, followers: {max: 999}}}}
  tiers: [{name: T0, min: 0}, {name: T2, min: 40}, {name: T3, min: 60}]
  segments: {vip: T3}
priority:
  levels: [urgente, alta, normal, baja]
  default: normal
  importance: {values: [alta, baja], default: baja}
  urgency:
    values: [alta, baja]
    default: baja
    rules: [{id: urge, when: {keywords: [urgente]}, value: alta}]
  matrix:
    - {importance: baja, urgency: alta, level: normal}
    - {importance: baja, urgency: baja, level: baja}
  raise:
    - {id: influyente, when: {influence_tier: T3}, to: alta}
    - {id: mediano, when: {influence_tier: T2}, to: baja}
routing:
  default: {queue: general}
  rules:
    - {id: influyentes, when: {influence: {min: 60}}, queue: experiencia, at_least: urgente}
)";

TEST(PipelineTest, InfluenceScoresEveryTermAndOnlyRaisesPriority) {
  auto rs = Compile(kInfluence);
  ASSERT_TRUE(rs);
  Event e = Text("hola urgente", Channel::kTwitter);
  e.author.followers = 9'999'999;
  e.author.verified_type = "government";
  e.author.bio = "Periodista";
  Decision d = Decide(*rs, e, Context());
  EXPECT_DOUBLE_EQ(d.influence, 100);
  EXPECT_EQ(d.influence_tier, "T3");
  ASSERT_EQ(d.influence_terms.size(), 3u);
  EXPECT_EQ(d.influence_terms[0].name, "alcance");
  EXPECT_NEAR(d.influence_terms[0].contribution, 0.5, 1e-6);
  EXPECT_EQ(d.influence_terms[2].name, "prensa");
  EXPECT_DOUBLE_EQ(d.influence_terms[2].value, 1);
  EXPECT_EQ(d.priority, "urgente");  // normal → alta (tier) → urgente (route)
  EXPECT_EQ(d.queue, "experiencia");

  // A T2 raise "to baja" never lowers a normal priority.
  Event mid = Text("hola urgente", Channel::kTwitter);
  mid.author.followers = 2'000'000;  // 0.5 × log10(2e6)/7 → 45
  Decision m = Decide(*rs, mid, Context());
  EXPECT_EQ(m.influence_tier, "T2");
  EXPECT_EQ(m.priority, "normal");
}

TEST(PipelineTest, FollowFarmsArePenalizedAndSegmentsOverride) {
  auto rs = Compile(kInfluence);
  Event farm = Text("hola", Channel::kTwitter);
  farm.author.followers = 900;
  farm.author.following = 40'000;
  farm.author.verified_type = "blue";
  Decision d = Decide(*rs, farm, Context());
  EXPECT_DOUBLE_EQ(d.influence, 0);
  EXPECT_EQ(d.influence_terms.back().name, "granja");
  EXPECT_DOUBLE_EQ(d.influence_terms.back().contribution, -0.5);

  Context vip;
  vip.segment = "vip";
  Decision v = Decide(*rs, Text("hola"), vip);
  EXPECT_EQ(v.influence_tier, "T3");
  std::vector<std::string> trace = Trace(v);
  EXPECT_NE(std::find(trace.begin(), trace.end(),
                      "influence tier: score 0 → T0; segment vip overrides → T3"),
            trace.end());
  EXPECT_EQ(v.priority, "alta");
}

TEST(PipelineTest, RegexConditionsShowWhatMatched) {
  auto rs = Compile(R"(
classify:
  kind:
    values: [con_documento, otro]
    default: otro
    rules: [{id: doc, when: {regex: '\b\d{8}\b'}, value: con_documento}]
routing: {default: {queue: q}}
)");
  ASSERT_TRUE(rs);
  Decision d = Decide(*rs, Text("mi DNI es 44556677, gracias"), Context());
  EXPECT_EQ(d.Label("kind"), "con_documento");
  EXPECT_EQ(Trace(d)[0], "classify.kind doc: con_documento: regex /\\b\\d{8}\\b/: \"44556677\"");
}

TEST(PipelineTest, HostileTextIsHandledByteExact) {
  auto rs = Compile(kKinds);
  static constexpr char kNasty[] = "p\xC3\xA9simo\0'; DROP TABLE x;--<script>\xFF\xFE";
  std::string nasty(kNasty, sizeof kNasty - 1);  // keeps the NUL inside
  Decision d = Decide(*rs, Text(nasty), Context());
  EXPECT_EQ(d.Label("kind"), "queja");
  std::string huge(1 << 20, 'a');
  EXPECT_EQ(Decide(*rs, Text(huge + " pesimo"), Context()).Label("kind"), "queja");
}

}  // namespace
}  // namespace atalaya::rules
