#include "rules/brand_matcher.h"

#include "rules/text_normalizer.h"

namespace atalaya::rules {

std::vector<BrandHit> BrandMatcher::Find(const std::vector<std::string_view>& tokens) const {
  std::vector<BrandHit> hits;
  std::string glued;
  for (size_t b = 0; b < brands_.size(); ++b) {
    const Brand& brand = brands_[b];
    BrandHit best{b, "", brand.max_distance + 1};
    auto consider = [&](std::string_view candidate) {
      for (const std::string& spelling : brand.spellings) {
        size_t allowed = spelling.size() >= kMinFuzzyLength ? brand.max_distance : 0;
        size_t d = BoundedEditDistance(candidate, spelling, allowed);
        if (d <= allowed && d < best.distance) {
          best.distance = d;
          best.found = std::string(candidate);
        }
      }
    };
    for (size_t i = 0; i < tokens.size() && best.distance > 0; ++i) {
      consider(tokens[i]);
      if (i + 1 < tokens.size()) {
        glued.assign(tokens[i]);
        glued.append(tokens[i + 1]);
        consider(glued);
      }
    }
    if (best.distance <= brand.max_distance) hits.push_back(std::move(best));
  }
  return hits;
}

}  // namespace atalaya::rules
