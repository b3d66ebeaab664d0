#include "channels/json_scan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "channels/utf8.h"
#include "tests/unit/channels/exact_size_text.h"

namespace atalaya::channels {
namespace {

using Json = nlohmann::json;

std::string ErrorOf(std::string_view text, int max_depth = 64) {
  Result<JsonShape> shape = ScanJson(text, max_depth, "entry");
  return shape.ok() ? "" : shape.status().message();
}

TEST(ScanJson, ReportsTheTopLevelTypeAndTheNamedMember) {
  Result<JsonShape> shape = ScanJson(R"( {"object":"page","entry":[{"id":"1"}]} )", 64, "entry");
  ASSERT_TRUE(shape.ok()) << shape.status().message();
  EXPECT_EQ(shape->top, JsonType::kObject);
  ASSERT_TRUE(shape->member.has_value());
  EXPECT_EQ(*shape->member, JsonType::kArray);

  shape = ScanJson(R"({"x":{"entry":[]}})", 64, "entry");
  ASSERT_TRUE(shape.ok());
  EXPECT_FALSE(shape->member.has_value()) << "only top-level members count";

  shape = ScanJson(R"([{"entry":[]}])", 64, "entry");
  ASSERT_TRUE(shape.ok());
  EXPECT_EQ(shape->top, JsonType::kArray);
  EXPECT_FALSE(shape->member.has_value());

  for (auto [text, type] : {std::pair<std::string_view, JsonType>{"\"s\"", JsonType::kString},
                            {"-0.5e+3", JsonType::kNumber},
                            {"true", JsonType::kBoolean},
                            {"null", JsonType::kNull}}) {
    shape = ScanJson(text, 64, "entry");
    ASSERT_TRUE(shape.ok()) << text;
    EXPECT_EQ(shape->top, type) << text;
  }
}

TEST(ScanJson, DecodesEscapesInTheMemberName) {
  Result<JsonShape> shape = ScanJson(R"({"\u0065ntr\u0079":{}})", 64, "entry");
  ASSERT_TRUE(shape.ok());
  ASSERT_TRUE(shape->member.has_value());
  EXPECT_EQ(*shape->member, JsonType::kObject);
}

TEST(ScanJson, SaysWhereAndWhatItExpected) {
  EXPECT_EQ(ErrorOf(""), "line 1, column 1: expected a value");
  EXPECT_EQ(ErrorOf(R"({"entry":[]} x)"), "line 1, column 14: expected the end of the text");
  EXPECT_EQ(ErrorOf("{\n  \"a\" 1}"), "line 2, column 7: expected ':' after an object key");
  EXPECT_EQ(ErrorOf(R"({"a":1,})"), "line 1, column 8: expected a string as object key");
  EXPECT_EQ(ErrorOf(R"([1 2])"), "line 1, column 4: expected ',' or ']'");
  EXPECT_EQ(ErrorOf(R"({"a":1])"), "line 1, column 7: expected ',' or '}'");
  EXPECT_EQ(ErrorOf(R"(["abc)"), "line 1, column 6: unterminated string");
  EXPECT_EQ(ErrorOf("[\"a\tb\"]"), "line 1, column 4: control character in a string: escape it");
  EXPECT_EQ(ErrorOf(R"(["\x"])"), "line 1, column 4: invalid escape in a string");
  EXPECT_EQ(ErrorOf(R"(["\u12G4"])"), "line 1, column 4: \\u must be followed by four hex digits");
  EXPECT_EQ(ErrorOf(R"(["\ud83d"])"),
            "line 1, column 9: high surrogate \\uD83D must be followed by a low one");
  EXPECT_EQ(ErrorOf(R"(["\ude00"])"),
            "line 1, column 9: low surrogate \\uDE00 without a high one before it");
  EXPECT_EQ(ErrorOf("[01]"), "line 1, column 3: expected ',' or ']'");
  EXPECT_EQ(ErrorOf("[1.]"), "line 1, column 4: expected a digit after '.'");
  EXPECT_EQ(ErrorOf("[-]"), "line 1, column 3: expected a digit");
  EXPECT_EQ(ErrorOf("[1e]"), "line 1, column 4: expected a digit in the exponent");
  EXPECT_EQ(ErrorOf("[1e400]"), "line 1, column 2: number too large");
  EXPECT_EQ(ErrorOf("[tru]"), "line 1, column 2: expected a value");
}

TEST(ScanJson, NeverQuotesTheText) {
  const std::string message = ErrorOf(R"({"entry":[{"text":"mi cedula 12345678 "x}]})");
  EXPECT_EQ(message, "line 1, column 40: expected ',' or '}'");
}

TEST(ScanJson, StopsAtTheFirstLevelTooDeep) {
  std::string deep(65, '[');
  Result<JsonShape> shape = ScanJson(deep, 64, "entry");
  EXPECT_EQ(shape.status().code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(shape.status().message(), "nested deeper than 64 levels");
  EXPECT_TRUE(ScanJson(std::string(64, '[') + std::string(64, ']'), 64, "entry").ok());
}

TEST(ScanJson, AcceptsTinyAndHugeButFiniteNumbers) {
  EXPECT_EQ(ErrorOf("[1e-400, 0.0000e999, -1.5E+308, 123456789012345678901234567890]"), "");
  EXPECT_EQ(ErrorOf("[-1e309]"), "line 1, column 2: number too large");
  EXPECT_EQ(ErrorOf("[" + std::string(400, '9') + "]"), "line 1, column 2: number too large");
}

// --- Strings are skipped a word at a time: whatever stops the skip is found at its own offset,
// in strings shorter than a word, across word boundaries and in a tail shorter than a word. ---

// The error for `text` held in a block of exactly its size (a read past it fails under ASan).
std::string ErrorOfExact(const std::string& text) {
  return ErrorOf(testing::ExactSizeText(text).view());
}

std::string At(size_t column, std::string_view what) {
  return "line 1, column " + std::to_string(column) + ": " + std::string(what);
}

// Offsets 0..40 in a string that opens at column 2: every offset of a word and its tail.
constexpr size_t kMaxOffset = 40;

TEST(ScanJson, FindsTheClosingQuoteAtEveryOffset) {
  for (size_t at = 0; at <= kMaxOffset; ++at) {
    const std::string plain(at, 'a');
    EXPECT_EQ(ErrorOfExact("[\"" + plain + "\"]"), "") << at;
    // Had this quote been missed, the string would run on to the last one and be accepted.
    EXPECT_EQ(ErrorOfExact("[\"" + plain + "\"x" + std::string(20, 'b') + "\"]"),
              At(at + 4, "expected ',' or ']'"))
        << at;
  }
}

TEST(ScanJson, FindsABackslashAtEveryOffset) {
  for (size_t at = 0; at <= kMaxOffset; ++at) {
    const std::string plain(at, 'a');
    EXPECT_EQ(ErrorOfExact("[\"" + plain + "\\x" + std::string(20, 'b') + "\"]"),
              At(at + 4, "invalid escape in a string"))
        << at;
    // An escaped quote does not end the string; an escape right before the end is fine.
    EXPECT_EQ(ErrorOfExact("[\"" + plain + "\\\"" + plain + "\"]"), "") << at;
    EXPECT_EQ(ErrorOfExact("[\"" + plain + "\\n\"]"), "") << at;
  }
}

TEST(ScanJson, FindsEveryControlCharacterAtEveryOffset) {
  for (int control = 0x00; control < 0x20; ++control) {
    for (size_t at = 0; at <= kMaxOffset; ++at) {
      const std::string text =
          "[\"" + std::string(at, 'a') + static_cast<char>(control) + std::string(20, 'b') + "\"]";
      EXPECT_EQ(ErrorOfExact(text), At(at + 3, "control character in a string: escape it"))
          << "byte " << control << " at " << at;
    }
  }
}

TEST(ScanJson, TakesEveryOtherByteAsPlainAtEveryOffset) {
  // Bytes with the high bit set too, among them '"' + 0x80 and '\\' + 0x80 (UTF-8 is checked
  // before scanning, not here).
  for (int plain = 0x20; plain <= 0xFF; ++plain) {
    if (plain == '"' || plain == '\\') continue;
    for (size_t at = 0; at <= kMaxOffset; ++at) {
      const std::string text =
          "[\"" + std::string(at, 'a') + static_cast<char>(plain) + std::string(9, 'b') + "\"]";
      EXPECT_EQ(ErrorOfExact(text), "") << "byte " << plain << " at " << at;
    }
  }
}

TEST(ScanJson, FindsTheEndOfAnUnterminatedStringAtEveryLength) {
  for (size_t at = 0; at <= kMaxOffset; ++at) {
    EXPECT_EQ(ErrorOfExact("[\"" + std::string(at, 'a')), At(at + 3, "unterminated string")) << at;
  }
}

// --- The scanner accepts exactly what the parser used at ingest accepts. ---

JsonType TypeOf(const Json& value) {
  if (value.is_object()) return JsonType::kObject;
  if (value.is_array()) return JsonType::kArray;
  if (value.is_string()) return JsonType::kString;
  if (value.is_number()) return JsonType::kNumber;
  if (value.is_boolean()) return JsonType::kBoolean;
  return JsonType::kNull;
}

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds = {
      R"({"entry":[{"a":"\u00e4\ud83d\ude00\"\\\/\b\f\n\r\t","n":[-0,1.5e-3,2E+9,0.0]}]})",
      R"({"entry":{"x":[true,false,null,{}],"y":"ñandú 😀"},"entry":[[],{}]})",
      R"([1,"two",{"three":[3e3]}])",
      "\xEF\xBB\xBF{\"entry\":[]}",
  };
  const std::filesystem::path root = std::filesystem::path(ATALAYA_TESTDATA_DIR) / "meta";
  for (const auto& file : std::filesystem::recursive_directory_iterator(root)) {
    if (file.path().extension() != ".json") continue;
    std::ifstream in(file.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    seeds.push_back(text.str());
  }
  return seeds;
}

// One random edit of the kind that turns JSON into almost-JSON.
std::string Mutate(std::string text, std::mt19937& random) {
  static const std::vector<std::string> kPieces = {"{",
                                                   "}",
                                                   "[",
                                                   "]",
                                                   "\"",
                                                   ",",
                                                   ":",
                                                   "\\",
                                                   "\\u",
                                                   "\\ud83d",
                                                   "\\ude00",
                                                   "\\u00e4",
                                                   "0",
                                                   "1",
                                                   "-",
                                                   ".",
                                                   "e",
                                                   "E",
                                                   "+",
                                                   "9e999",
                                                   "true",
                                                   "fals",
                                                   "null",
                                                   " ",
                                                   "\n",
                                                   "\t",
                                                   std::string(1, '\x01'),
                                                   "ñ",
                                                   "😀",
                                                   "\"entry\"",
                                                   "\"\\u0065ntry\"",
                                                   "1e-999",
                                                   "00"};
  if (text.empty()) return kPieces[random() % kPieces.size()];
  const size_t at = random() % text.size();
  switch (random() % 3) {
    case 0:
      return text.erase(at, 1 + random() % 3);
    case 1:
      return text.insert(at, kPieces[random() % kPieces.size()]);
    default:
      return text.replace(at, 1, kPieces[random() % kPieces.size()]);
  }
}

TEST(ScanJson, AgreesWithTheParserOnMutatedWebhooks) {
  std::mt19937 random(20261128);
  const std::vector<std::string> seeds = Seeds();
  ASSERT_GT(seeds.size(), 20u);
  int accepted = 0, rejected = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = seeds[random() % seeds.size()];
    for (int edits = 1 + random() % 3; edits > 0; --edits) text = Mutate(std::move(text), random);
    if (FindInvalidUtf8(text)) continue;  // checked before scanning, in the daemon
    Result<JsonShape> shape = ScanJson(text, 10000, "entry");
    Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    ASSERT_EQ(shape.ok(), !parsed.is_discarded())
        << text << "\nscanner: " << (shape.ok() ? "ok" : shape.status().message());
    if (!shape.ok()) {
      ++rejected;
      continue;
    }
    ++accepted;
    EXPECT_EQ(shape->top, TypeOf(parsed)) << text;
    const bool has_entry = parsed.is_object() && parsed.contains("entry");
    ASSERT_EQ(shape->member.has_value(), has_entry) << text;
    if (has_entry) {
      EXPECT_EQ(*shape->member, TypeOf(parsed["entry"])) << text;
    }
  }
  // Both sides of the comparison were exercised.
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(rejected, 1000);
}

}  // namespace
}  // namespace atalaya::channels
