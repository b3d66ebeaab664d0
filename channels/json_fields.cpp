#include "channels/json_fields.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace atalaya::channels {
namespace {

constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1000;

std::optional<int64_t> ParseDecimal(const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

const Json* Member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const Json* ObjectMember(const Json& object, const char* key) {
  const Json* member = Member(object, key);
  return member != nullptr && member->is_object() ? member : nullptr;
}

const Json* ArrayMember(const Json& object, const char* key) {
  const Json* member = Member(object, key);
  return member != nullptr && member->is_array() ? member : nullptr;
}

std::string StringMember(const Json& object, const char* key) {
  const Json* member = Member(object, key);
  return member != nullptr && member->is_string() ? member->get_ref<const std::string&>() : "";
}

std::string IdMember(const Json& object, const char* key) {
  const Json* member = Member(object, key);
  if (member == nullptr) return "";
  if (member->is_string()) return member->get_ref<const std::string&>();
  if (member->is_number_unsigned()) return std::to_string(member->get<uint64_t>());
  if (member->is_number_integer()) return std::to_string(member->get<int64_t>());
  return "";
}

std::optional<double> NumberMember(const Json& object, const char* key) {
  const Json* member = Member(object, key);
  if (member == nullptr || !member->is_number()) return std::nullopt;
  return member->get<double>();
}

std::optional<int64_t> IntegerMember(const Json& object, const char* key) {
  const Json* member = Member(object, key);
  if (member == nullptr) return std::nullopt;
  if (member->is_number_integer() && !member->is_number_unsigned()) return member->get<int64_t>();
  if (member->is_number_unsigned()) {
    uint64_t value = member->get<uint64_t>();
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(value);
  }
  if (member->is_string()) return ParseDecimal(member->get_ref<const std::string&>());
  return std::nullopt;
}

int64_t SecondsMemberAsMs(const Json& object, const char* key) {
  const Json* member = Member(object, key);
  if (member == nullptr) return 0;
  if (member->is_number_float()) {
    double seconds = member->get<double>();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > static_cast<double>(kMaxSeconds)) {
      return 0;
    }
    return static_cast<int64_t>(seconds * 1000);
  }
  std::optional<int64_t> seconds = IntegerMember(object, key);
  if (!seconds || *seconds < 0 || *seconds > kMaxSeconds) return 0;
  return *seconds * 1000;
}

std::string CompactJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace atalaya::channels
