#pragma once
// A copy of a text in a heap block of exactly its size, for tests of code that reads a word at
// a time: a std::string has its NUL and spare capacity after the last byte, so a read past the
// end of one goes unnoticed, while past this block the sanitizer build reports it.

#include <memory>
#include <string_view>

namespace atalaya::channels::testing {

class ExactSizeText {
 public:
  explicit ExactSizeText(std::string_view text)
      : bytes_(std::make_unique_for_overwrite<char[]>(text.size())), size_(text.size()) {
    text.copy(bytes_.get(), size_);
  }

  std::string_view view() const { return {bytes_.get(), size_}; }

 private:
  std::unique_ptr<char[]> bytes_;
  size_t size_;
};

}  // namespace atalaya::channels::testing
