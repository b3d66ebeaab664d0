#include "channels/meta_envelope.h"

#include <cstddef>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>

#include "channels/utf8.h"

namespace atalaya::channels {
namespace {

using Json = nlohmann::json;

// A SAX consumer that keeps no values: it tracks the depth, the type of the top-level value
// and what the top-level "entry" key holds. Returning false from a callback stops the parse.
class EnvelopeScanner {
 public:
  explicit EnvelopeScanner(int max_depth) : max_depth_(max_depth) {}

  enum class Entry { kAbsent, kArray, kNotArray };

  bool null() { return Value(false, false); }
  bool boolean(bool) { return Value(false, false); }
  bool number_integer(Json::number_integer_t) { return Value(false, false); }
  bool number_unsigned(Json::number_unsigned_t) { return Value(false, false); }
  bool number_float(Json::number_float_t, const Json::string_t&) { return Value(false, false); }
  bool string(Json::string_t&) { return Value(false, false); }
  bool binary(Json::binary_t&) { return Value(false, false); }
  bool start_object(std::size_t) { return Value(true, false) && Enter(); }
  bool start_array(std::size_t) { return Value(false, true) && Enter(); }
  bool end_object() { return Leave(); }
  bool end_array() { return Leave(); }
  bool key(Json::string_t& name) {
    next_is_entry_ = depth_ == 1 && name == "entry";
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    parse_error_ = e.what();
    return false;
  }

  bool too_deep() const { return too_deep_; }
  const std::string& parse_error_message() const { return parse_error_; }
  bool top_is_object() const { return top_is_object_; }
  Entry entry() const { return entry_; }

 private:
  bool Value(bool is_object, bool is_array) {
    if (depth_ == 0) top_is_object_ = is_object;
    if (depth_ == 1 && next_is_entry_) {
      // A repeated key overrides the earlier one, as the DOM parser would keep the last.
      entry_ = is_array ? Entry::kArray : Entry::kNotArray;
      next_is_entry_ = false;
    }
    return true;
  }
  bool Enter() {
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }
  bool Leave() {
    --depth_;
    return true;
  }

  const int max_depth_;
  int depth_ = 0;
  bool too_deep_ = false;
  bool top_is_object_ = false;
  bool next_is_entry_ = false;
  Entry entry_ = Entry::kAbsent;
  std::string parse_error_;
};

// nlohmann's message starts with "[json.exception.parse_error.101] " and quotes the bytes it
// last read ("; last read: '...'"): those may be customer text, which must not reach logs or
// error bodies. What remains says where and why.
std::string DescribeParseError(const std::string& message) {
  std::string out = message;
  if (out.starts_with("[json.exception.")) {
    size_t end = out.find("] ");
    if (end != std::string::npos) out.erase(0, end + 2);
  }
  constexpr std::string_view kLastRead = "; last read: '";
  size_t begin = out.find(kLastRead);
  if (begin != std::string::npos) {
    size_t expected = out.rfind("'; expected ");
    size_t end = (expected != std::string::npos && expected >= begin + kLastRead.size())
                     ? expected + 1
                     : out.size();
    out.erase(begin, end - begin);
  }
  return out;
}

}  // namespace

Status ValidateMetaEnvelope(std::string_view body, int max_depth) {
  if (std::optional<size_t> bad = FindInvalidUtf8(body)) {
    return InvalidArgument("body is not valid UTF-8 (byte offset " + std::to_string(*bad) + ")");
  }
  EnvelopeScanner scanner(max_depth);
  try {
    Json::sax_parse(body.begin(), body.end(), &scanner);
  } catch (const std::exception& e) {
    // sax_parse reports through parse_error(); this only guards against a library surprise.
    return InvalidArgument("body is not valid JSON: " + DescribeParseError(e.what()));
  }
  if (scanner.too_deep()) {
    return InvalidArgument("JSON nested deeper than " + std::to_string(max_depth) + " levels");
  }
  if (!scanner.parse_error_message().empty()) {
    return InvalidArgument("body is not valid JSON: " +
                           DescribeParseError(scanner.parse_error_message()));
  }
  if (!scanner.top_is_object()) return InvalidArgument("body is not a JSON object");
  switch (scanner.entry()) {
    case EnvelopeScanner::Entry::kAbsent:
      return InvalidArgument("body has no \"entry\" array");
    case EnvelopeScanner::Entry::kNotArray:
      return InvalidArgument("\"entry\" is not an array");
    case EnvelopeScanner::Entry::kArray:
      break;
  }
  return Status::Ok();
}

}  // namespace atalaya::channels
