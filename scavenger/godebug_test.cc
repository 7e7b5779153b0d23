#include "scavenger/godebug.h"

#include "gtest/gtest.h"

namespace thp {
namespace {

TEST(Godebug, ParsesTheKnownKeys) {
  std::vector<std::string> w;
  absl::StatusOr<DebugVars> v =
      ParseGodebug("gctrace=1,scavenge=1,thpvariant=prefix,scavtrace=2", &w);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->gctrace, 1);
  EXPECT_EQ(v->scavtrace, 2);
  EXPECT_EQ(v->scavenge, 1);
  EXPECT_TRUE(v->scavenge_named);
  EXPECT_EQ(v->thpvariant, "prefix");
  EXPECT_TRUE(w.empty());
}

TEST(Godebug, UnknownKeysAreIgnoredWithAWarning) {
  std::vector<std::string> w;
  absl::StatusOr<DebugVars> v = ParseGodebug("gcstoptheworld=1,,noeq,scavenge=2", &w);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->scavenge, 2);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0], "GODEBUG: ignoring unknown key \"gcstoptheworld\"");
  EXPECT_EQ(w[1], "GODEBUG: ignoring \"noeq\" (no '=')");
}

TEST(Godebug, SaysWhetherScavengeWasNamed) {
  std::vector<std::string> w;
  EXPECT_TRUE(ParseGodebug("scavenge=0", &w)->scavenge_named);
  EXPECT_FALSE(ParseGodebug("gctrace=1", &w)->scavenge_named);
  EXPECT_FALSE(ParseGodebug("", &w)->scavenge_named);
  // Only the key itself counts, not a key that ends in it.
  EXPECT_FALSE(ParseGodebug("noscavenge=1", &w)->scavenge_named);
}

TEST(Godebug, MalformedValuesNameKeyAndValue) {
  std::vector<std::string> w;
  EXPECT_EQ(ParseGodebug("scavenge=yes", &w).status().message(),
            "GODEBUG scavenge=yes: expected an integer");
  EXPECT_FALSE(ParseGodebug("thpvariant=bogus", &w).ok());
}

TEST(Godebug, Gomaxprocs) {
  EXPECT_EQ(*ParseGomaxprocs("", 2), 2);
  EXPECT_EQ(*ParseGomaxprocs("4", 2), 4);
  EXPECT_EQ(ParseGomaxprocs("0", 2).status().message(),
            "GOMAXPROCS=0: expected an integer from 1 to 256");
  EXPECT_FALSE(ParseGomaxprocs("two", 2).ok());
}

}  // namespace
}  // namespace thp
