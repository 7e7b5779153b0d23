#include "runtime_port/base/quote.h"

#include <string>

#include "gtest/gtest.h"

namespace thp {
namespace {

TEST(QuoteForError, EscapesAndCutsWithoutSplittingAnEscape) {
  EXPECT_EQ(QuoteForError("abc"), "\"abc\"");
  EXPECT_EQ(QuoteForError("a\tb\n\x01"), "\"a\\tb\\n\\x01\"");
  EXPECT_EQ(QuoteForError(std::string(120, 'x')), "\"" + std::string(120, 'x') + "\"");
  EXPECT_EQ(QuoteForError(std::string(121, 'x')), "\"" + std::string(120, 'x') + "...\"");
  // 30 escapes of 4 characters fill the 120; the 31st is cut whole.
  std::string thirty;
  for (int i = 0; i < 30; ++i) thirty += "\\xff";
  EXPECT_EQ(QuoteForError(std::string(31, '\xff')), "\"" + thirty + "...\"");
  EXPECT_EQ(QuoteForError("x" + std::string(40, '\xff')).size(), 2 + 1 + 29 * 4 + 3);
}

}  // namespace
}  // namespace thp
