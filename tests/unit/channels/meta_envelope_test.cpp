#include "channels/meta_envelope.h"

#include <gtest/gtest.h>

#include "channels/utf8.h"

namespace atalaya::channels {
namespace {

// An envelope whose "entry" array holds arrays nested so that the whole body is `depth`
// levels deep (the top-level object is level 1, "entry" level 2).
std::string NestedEnvelope(int depth) {
  std::string inner_open(depth - 2, '['), inner_close(depth - 2, ']');
  return R"({"object":"page","entry":[)" + inner_open + inner_close + "]}";
}

void ExpectInvalid(std::string_view body, const std::string& message) {
  Status status = ValidateMetaEnvelope(body);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << body;
  EXPECT_EQ(status.message(), message) << body;
}

TEST(ValidateMetaEnvelope, AcceptsAMinimalEnvelope) {
  EXPECT_TRUE(ValidateMetaEnvelope(R"({"object":"whatsapp_business_account","entry":[]})").ok());
  EXPECT_TRUE(ValidateMetaEnvelope(R"( {"entry":[{"id":"1"}]} )").ok());
}

TEST(ValidateMetaEnvelope, AcceptsEscapedUnicodeAndNul) {
  EXPECT_TRUE(ValidateMetaEnvelope(R"({"entry":[{"t":"\u00e4\u0000\ud83d\ude00\/"}]})").ok());
}

TEST(ValidateMetaEnvelope, RejectsWhatIsNotJson) {
  ExpectInvalid("", "body is not valid JSON: line 1, column 1: expected a value");
  ExpectInvalid(R"({"entry":[]} x)",
                "body is not valid JSON: line 1, column 14: expected the end of the text");
  ExpectInvalid(R"({"entry":[)", "body is not valid JSON: line 1, column 11: expected a value");
}

TEST(ValidateMetaEnvelope, NeverQuotesTheBodyInItsError) {
  ExpectInvalid(R"({"entry":[{"text":"mi cedula 12345678 "x}]})",
                "body is not valid JSON: line 1, column 40: expected ',' or '}'");
  ExpectInvalid("secreto", "body is not valid JSON: line 1, column 1: expected a value");
}

TEST(ValidateMetaEnvelope, RejectsATopLevelThatIsNotAnObject) {
  ExpectInvalid(R"([{"entry":[]}])", "body is not a JSON object");
  ExpectInvalid(R"("entry")", "body is not a JSON object");
  ExpectInvalid("42", "body is not a JSON object");
}

TEST(ValidateMetaEnvelope, RejectsAMissingEntry) {
  ExpectInvalid(R"({"object":"page"})", "body has no \"entry\" array");
  // "entry" deeper down does not count.
  ExpectInvalid(R"({"object":"page","x":{"entry":[]}})", "body has no \"entry\" array");
}

TEST(ValidateMetaEnvelope, RejectsAnEntryThatIsNotAnArray) {
  ExpectInvalid(R"({"object":"page","entry":{}})", "\"entry\" is not an array");
  ExpectInvalid(R"({"object":"page","entry":"[]"})", "\"entry\" is not an array");
  ExpectInvalid(R"({"object":"page","entry":null})", "\"entry\" is not an array");
  // The last of repeated keys wins, as in the parsed document.
  ExpectInvalid(R"({"entry":[],"entry":1})", "\"entry\" is not an array");
  EXPECT_TRUE(ValidateMetaEnvelope(R"({"entry":1,"entry":[]})").ok());
}

TEST(ValidateMetaEnvelope, AllowsSixtyFourLevelsAndRejectsSixtyFive) {
  EXPECT_TRUE(ValidateMetaEnvelope(NestedEnvelope(64)).ok());
  ExpectInvalid(NestedEnvelope(65), "JSON nested deeper than 64 levels");
}

TEST(ValidateMetaEnvelope, DetectsDepthBeforeTheEndOfAHugeBody) {
  // A million opening brackets and no closing ones: rejected for depth, not for syntax.
  std::string body = R"({"entry":[)" + std::string(1'000'000, '[');
  ExpectInvalid(body, "JSON nested deeper than 64 levels");
}

TEST(ValidateMetaEnvelope, HonoursACustomDepth) {
  EXPECT_TRUE(ValidateMetaEnvelope(NestedEnvelope(3), 3).ok());
  Status status = ValidateMetaEnvelope(NestedEnvelope(4), 3);
  EXPECT_EQ(status.message(), "JSON nested deeper than 3 levels");
}

TEST(ValidateMetaEnvelope, RejectsInvalidUtf8Bytes) {
  ExpectInvalid("{\"entry\":[\"\xFF\"]}", "body is not valid UTF-8 (byte offset 11)");
  // A lone continuation byte, a truncated sequence at the end.
  ExpectInvalid("{\"entry\":[\"\x80\"]}", "body is not valid UTF-8 (byte offset 11)");
  ExpectInvalid("{\"entry\":[]}\xE2\x82", "body is not valid UTF-8 (byte offset 12)");
}

TEST(ValidateMetaEnvelope, RejectsOverlongEncodings) {
  // "/" (U+002F) written in two and three bytes; NUL written in two bytes.
  ExpectInvalid("{\"entry\":[\"\xC0\xAF\"]}", "body is not valid UTF-8 (byte offset 11)");
  ExpectInvalid("{\"entry\":[\"\xE0\x80\xAF\"]}", "body is not valid UTF-8 (byte offset 11)");
  ExpectInvalid("{\"entry\":[\"\xC0\x80\"]}", "body is not valid UTF-8 (byte offset 11)");
}

TEST(FindInvalidUtf8, AcceptsEveryValidLength) {
  EXPECT_EQ(FindInvalidUtf8("a\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("\xF4\x8F\xBF\xBF"), std::nullopt);  // U+10FFFF, the last
  EXPECT_EQ(FindInvalidUtf8(std::string_view("\0", 1)), std::nullopt);
}

TEST(FindInvalidUtf8, RejectsSurrogatesAndCodePointsPastUnicode) {
  EXPECT_EQ(FindInvalidUtf8("ab\xED\xA0\x80"), std::optional<size_t>(2));    // U+D800
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), std::optional<size_t>(0));  // U+110000
  EXPECT_EQ(FindInvalidUtf8("\xF0\x8F\xBF\xBF"), std::optional<size_t>(0));  // overlong 4-byte
  EXPECT_EQ(FindInvalidUtf8("\xC3\x28"), std::optional<size_t>(0));          // bad continuation
}

}  // namespace
}  // namespace atalaya::channels
