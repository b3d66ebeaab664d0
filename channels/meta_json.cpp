#include "channels/meta_json.h"

namespace atalaya::channels {

std::string MetaStyleJson(const OrderedJson& value) {
  const std::string ascii =
      value.dump(-1, ' ', /*ensure_ascii=*/true, OrderedJson::error_handler_t::replace);
  // Compact JSON has no "/" outside strings, so every one found is inside a string.
  std::string out;
  out.reserve(ascii.size() + ascii.size() / 16);
  for (char c : ascii) {
    if (c == '/') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace atalaya::channels
