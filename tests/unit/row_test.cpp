// Row binding (db/row.hpp): members in select order, NULLs, column groups, and the shape check.
#include <gtest/gtest.h>

#include "db/row.hpp"
#include "db/sqlite/sqlite_connection.hpp"

using namespace carat;

namespace {

struct Inner {
  static constexpr bool kColumnGroup = true;
  int64_t a = 0;
  std::optional<std::string> b;
};

struct Outer {
  std::string name;
  Inner inner;
  std::optional<int64_t> missing;
  bool flag = false;
  std::optional<timeutil::Timestamp> at;
};

constexpr db::Select<Outer> kFive{
    "row_test_five",
    "SELECT 'x', 7, NULL, NULL, 1, '2026-01-02 03:04:05.000000'"};
constexpr db::Select<Outer> kFour{"row_test_four", "SELECT 'x', 7, NULL, NULL"};

class RowBinding : public ::testing::Test {
 protected:
  void SetUp() override { conn_ = db::make_sqlite_connector(":memory:")->connect(); }
  std::unique_ptr<db::Connection> conn_;
};

TEST_F(RowBinding, MembersFollowTheSelectListAndGroupsTakeConsecutiveColumns) {
  static_assert(db::row_columns<Outer>() == 6);
  auto row = db::fetch_one(*conn_, kFive);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->name, "x");
  EXPECT_EQ(row->inner.a, 7);
  EXPECT_FALSE(row->inner.b);
  EXPECT_FALSE(row->missing);
  EXPECT_TRUE(row->flag);
  ASSERT_TRUE(row->at);
  EXPECT_EQ(row->at->api, "2026-01-02T03:04:05Z");
}

TEST_F(RowBinding, AResultOfAnotherShapeIsRefused) {
  EXPECT_THROW(db::fetch_one(*conn_, kFour), db::DbError);
  EXPECT_THROW(db::fetch_all(*conn_, kFour), db::DbError);
}

}  // namespace
