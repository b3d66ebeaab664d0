// The word-at-a-time ASCII skip of FindInvalidUtf8: wherever a word or the tail shorter than
// one starts or ends, the first invalid byte is still found at its own offset and a valid
// sequence is still accepted. (The per-sequence rules are tested in meta_envelope_test.cpp.)
#include "channels/utf8.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/channels/exact_size_text.h"

namespace atalaya::channels {
namespace {

using testing::ExactSizeText;

std::optional<size_t> Find(const std::string& text) {
  return FindInvalidUtf8(ExactSizeText(text).view());
}

// Lengths 0..40 cover texts shorter than a word, several words, and every tail length.
constexpr size_t kMaxLength = 40;

TEST(FindInvalidUtf8, AcceptsAsciiOfEveryLength) {
  for (size_t length = 0; length <= kMaxLength; ++length) {
    EXPECT_EQ(Find(std::string(length, 'a')), std::nullopt) << length;
  }
}

TEST(FindInvalidUtf8, FindsAnInvalidByteAtEveryOffsetOfAsciiText) {
  // A lone continuation byte (the lowest byte with its high bit set), an overlong lead, and a
  // byte that is never UTF-8.
  for (const char bad : {'\x80', '\xC0', '\xFF'}) {
    for (size_t length = 1; length <= kMaxLength; ++length) {
      for (size_t at = 0; at < length; ++at) {
        std::string text(length, 'a');
        text[at] = bad;
        EXPECT_EQ(Find(text), std::optional<size_t>(at))
            << "byte " << int(static_cast<unsigned char>(bad)) << " at " << at << " of " << length;
      }
    }
  }
}

TEST(FindInvalidUtf8, AcceptsSequencesAtEveryOffsetAcrossWordBoundaries) {
  for (const std::string sequence : {"\xC3\xB1", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    for (size_t before = 0; before <= 33; ++before) {
      for (size_t after : {0, 1, 7, 8, 20}) {
        const std::string text = std::string(before, 'a') + sequence + std::string(after, 'b');
        EXPECT_EQ(Find(text), std::nullopt)
            << sequence.size() << "-byte sequence after " << before << ", " << after << " after";
      }
    }
  }
}

TEST(FindInvalidUtf8, FindsASequenceCutShortAtEveryOffset) {
  // Cut by the end of the text (which may fall inside a word), or by an ASCII byte.
  for (const std::string cut : {"\xC3", "\xE2\x82", "\xF0\x9F\x98"}) {
    for (size_t before = 0; before <= 33; ++before) {
      const std::string prefix(before, 'a');
      EXPECT_EQ(Find(prefix + cut), std::optional<size_t>(before)) << cut.size() << " " << before;
      EXPECT_EQ(Find(prefix + cut + "b" + std::string(16, 'c')), std::optional<size_t>(before))
          << cut.size() << " " << before;
    }
  }
}

TEST(FindInvalidUtf8, KeepsSkippingAsciiAfterAValidSequence) {
  // The first invalid byte comes after a valid non-ASCII letter, at every pair of distances.
  for (size_t before = 0; before <= 20; ++before) {
    for (size_t between = 0; between <= 20; ++between) {
      const std::string text = std::string(before, 'a') + "\xC3\xA9" + std::string(between, 'b') +
                               "\xFF" + std::string(5, 'c');
      EXPECT_EQ(Find(text), std::optional<size_t>(before + 2 + between))
          << before << " " << between;
    }
  }
}

}  // namespace
}  // namespace atalaya::channels
