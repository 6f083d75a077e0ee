#include <doctest/doctest.h>

#include <set>

#include "platform/ids.hpp"
#include "platform/money.hpp"

TEST_CASE("ids are prefixed, well-formed, unique and time-ordered") {
    std::set<std::string> seen;
    std::string prev;
    for (int i = 0; i < 10000; ++i) {
        auto id = shop::new_id("ord");
        CHECK(shop::is_id(id, "ord"));
        CHECK(id > prev);
        prev = id;
        seen.insert(id);
    }
    CHECK(seen.size() == 10000);
    CHECK_FALSE(shop::is_id("ord_123", "ord"));
    CHECK_FALSE(shop::is_id(shop::new_id("usr"), "ord"));
}

TEST_CASE("money is formatted from minor units without floating point") {
    CHECK(shop::format_money({11500, "USD"}) == "USD 115.00");
    CHECK(shop::format_money({5, "EUR"}) == "EUR 0.05");
    CHECK(shop::format_money({-250, "USD"}) == "USD -2.50");
    CHECK(shop::format_money({1200, "JPY"}) == "JPY 1200");
    CHECK(shop::format_money({1234, "KWD"}) == "KWD 1.234");
    CHECK(shop::is_currency_code("USD"));
    CHECK_FALSE(shop::is_currency_code("usd"));
}
