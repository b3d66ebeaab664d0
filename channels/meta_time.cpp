#include "channels/meta_time.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace atalaya::channels {
namespace {

constexpr int64_t kMaxMs = std::numeric_limits<int64_t>::max() / 2;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

int DaysInMonth(int64_t year, int64_t month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Reads exactly `width` digits at `*pos`.
std::optional<int64_t> Digits(std::string_view text, size_t* pos, size_t width) {
  if (*pos + width > text.size()) return std::nullopt;
  int64_t value = 0;
  for (size_t i = 0; i < width; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  *pos += width;
  return value;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

int64_t NumberAsMs(double number) {
  if (!std::isfinite(number) || number < 0) return 0;
  const double ms = number < static_cast<double>(kSecondsLimit) ? number * 1000 : number;
  return ms > static_cast<double>(kMaxMs) ? 0 : static_cast<int64_t>(ms);
}

int64_t IntegerAsMs(int64_t number) {
  if (number < 0) return 0;
  if (number < kSecondsLimit) return number * 1000;
  return number > kMaxMs ? 0 : number;
}

}  // namespace

std::optional<int64_t> ParseIso8601Ms(std::string_view text) {
  size_t pos = 0;
  auto year = Digits(text, &pos, 4);
  if (!year || !Expect(text, &pos, '-')) return std::nullopt;
  auto month = Digits(text, &pos, 2);
  if (!month || !Expect(text, &pos, '-')) return std::nullopt;
  auto day = Digits(text, &pos, 2);
  if (!day || (!Expect(text, &pos, 'T') && !Expect(text, &pos, ' '))) return std::nullopt;
  auto hour = Digits(text, &pos, 2);
  if (!hour || !Expect(text, &pos, ':')) return std::nullopt;
  auto minute = Digits(text, &pos, 2);
  if (!minute || !Expect(text, &pos, ':')) return std::nullopt;
  auto second = Digits(text, &pos, 2);
  if (!second) return std::nullopt;
  if (*year < 1970 || *month < 1 || *month > 12 || *day < 1 || *day > DaysInMonth(*year, *month) ||
      *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  int64_t millis = 0;
  if (Expect(text, &pos, '.')) {
    size_t digits = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] == 'Z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      const int sign = text[pos] == '-' ? -1 : 1;
      ++pos;
      auto offset_hours = Digits(text, &pos, 2);
      if (!offset_hours || *offset_hours > 23) return std::nullopt;
      int64_t minutes = 0;
      if (pos < text.size()) {
        Expect(text, &pos, ':');
        auto offset_min = Digits(text, &pos, 2);
        if (!offset_min || *offset_min > 59) return std::nullopt;
        minutes = *offset_min;
      }
      offset_minutes = sign * (*offset_hours * 60 + minutes);
    } else {
      return std::nullopt;
    }
  }
  if (pos != text.size()) return std::nullopt;
  const int64_t seconds = DaysFromCivil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 +
                          *second - offset_minutes * 60;
  if (seconds < 0) return std::nullopt;
  return seconds * 1000 + millis;
}

int64_t MetaTimeAsMs(const Json& value) {
  if (value.is_number_float()) return NumberAsMs(value.get<double>());
  if (value.is_number_unsigned()) {
    const uint64_t number = value.get<uint64_t>();
    return number > static_cast<uint64_t>(kMaxMs) ? 0 : IntegerAsMs(static_cast<int64_t>(number));
  }
  if (value.is_number_integer()) return IntegerAsMs(value.get<int64_t>());
  if (!value.is_string()) return 0;
  const std::string& text = value.get_ref<const std::string&>();
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    // A string of digits: the same rule as a number, if it fits.
    int64_t number = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, number);
    return text.empty() || ec != std::errc() || ptr != end ? 0 : IntegerAsMs(number);
  }
  return ParseIso8601Ms(text).value_or(0);
}

int64_t MetaTimeMemberAsMs(const Json& object, const char* key) {
  const Json* member = Member(object, key);
  return member == nullptr ? 0 : MetaTimeAsMs(*member);
}

}  // namespace atalaya::channels
