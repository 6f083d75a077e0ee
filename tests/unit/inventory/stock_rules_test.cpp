#include <doctest/doctest.h>

#include "inventory/src/domain/stock_rules.hpp"

#include <string>
#include <vector>

using namespace shop::inventory::domain;

namespace {
Level lvl(std::string w, std::int64_t on_hand, std::int64_t reserved, std::int64_t priority = 0, std::int64_t threshold = 0) {
    return {std::move(w), on_hand, reserved, threshold, priority};
}
}  // namespace

TEST_CASE("allocation: most free stock first, then priority, then code - backorders only within the allowance") {
    struct Case {
        const char* name;
        std::vector<Level> levels;
        std::int64_t quantity;
        Backorders backorders;
        std::optional<std::vector<Take>> expected;
    };
    const Backorders none{};
    const Backorders two{true, 2};
    std::vector<Case> cases{
        {"one warehouse enough", {lvl("main", 5, 1)}, 3, none, std::vector<Take>{{"main", 3, false}}},
        {"most free first", {lvl("main", 2, 0), lvl("east", 5, 0)}, 3, none, std::vector<Take>{{"east", 3, false}}},
        {"split: the larger first, the rest from the next", {lvl("main", 3, 0), lvl("east", 2, 0)}, 4, none,
         std::vector<Take>{{"main", 3, false}, {"east", 1, false}}},
        {"reserved stock is not free", {lvl("main", 5, 4), lvl("east", 2, 0)}, 2, none, std::vector<Take>{{"east", 2, false}}},
        {"tie: higher priority first", {lvl("main", 2, 0, 0), lvl("east", 2, 0, 10)}, 3, none,
         std::vector<Take>{{"east", 2, false}, {"main", 1, false}}},
        {"tie at equal priority: code order", {lvl("main", 2, 0), lvl("east", 2, 0)}, 1, none, std::vector<Take>{{"east", 1, false}}},
        {"short without backorders", {lvl("main", 2, 0), lvl("east", 1, 0)}, 4, none, std::nullopt},
        {"short stock: backorder the rest", {lvl("main", 1, 0)}, 3, two, std::vector<Take>{{"main", 1, false}, {"bo", 2, true}}},
        {"beyond the allowance", {lvl("main", 1, 0)}, 4, two, std::nullopt},
        {"allowance already used", {lvl("main", 0, 2)}, 1, two, std::nullopt},
        {"allowance partly used", {lvl("main", 0, 1)}, 1, two, std::vector<Take>{{"bo", 1, true}}},
        {"no stock rows, backorderable", {}, 2, two, std::vector<Take>{{"bo", 2, true}}},
        {"no stock rows", {}, 1, none, std::nullopt},
    };
    for (auto& c : cases) {
        CAPTURE(c.name);
        CHECK(allocate(c.levels, c.quantity, c.backorders, "bo") == c.expected);
    }
}

TEST_CASE("totals: available is free stock plus the backorder allowance left") {
    auto t = totals({lvl("main", 1, 3), lvl("east", 4, 1)}, Backorders{true, 5});
    CHECK(t.on_hand == 5);
    CHECK(t.reserved == 4);
    CHECK(t.free == 3);         // main 0, east 3
    CHECK(t.backordered == 2);  // main holds 2 beyond its stock
    CHECK(t.available == 6);    // 3 free + (5 - 2) allowance
    CHECK(t.in_stock);
    auto plain = totals({lvl("main", 1, 3), lvl("east", 4, 1)}, Backorders{false, 5});
    CHECK(plain.available == 3);
    auto empty = totals({lvl("main", 2, 2)}, Backorders{});
    CHECK(empty.available == 0);
    CHECK_FALSE(empty.in_stock);
}

TEST_CASE("low stock: a threshold above 0 and free stock at or below it") {
    CHECK(is_low(lvl("main", 5, 2, 0, 3)));
    CHECK_FALSE(is_low(lvl("main", 5, 1, 0, 3)));
    CHECK_FALSE(is_low(lvl("main", 0, 0, 0, 0)));  // threshold 0 never alerts
    CHECK(is_low(lvl("main", 0, 0, 0, 1)));
}

TEST_CASE("adjustments: not 0, never below 0, never below what reservations hold") {
    CHECK(adjustment_problem(5, 0, 0) == "must not be 0");
    CHECK(adjustment_problem(5, 0, -5).empty());
    CHECK_FALSE(adjustment_problem(5, 0, -6).empty());
    CHECK_FALSE(adjustment_problem(5, 3, -3).empty());
    CHECK(adjustment_problem(5, 3, -2).empty());
    CHECK(adjustment_problem(0, 0, 7).empty());
}
