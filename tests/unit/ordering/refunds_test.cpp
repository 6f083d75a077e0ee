#include "ordering/src/domain/refunds.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ordering/src/domain/order_rules.hpp"

using namespace shop::ordering::domain;

TEST_CASE("status after a refund: refunded when all captured went back, partially_refunded only after delivery") {
    struct Case {
        const char* status;
        std::int64_t refunded, captured;
        const char* expected;
    };
    const Case cases[] = {
        {"delivered", 400, 1000, "partially_refunded"},
        {"delivered", 1000, 1000, "refunded"},
        {"partially_refunded", 600, 1000, "partially_refunded"},
        {"partially_refunded", 1000, 1000, "refunded"},
        {"confirmed", 400, 1000, "confirmed"},
        {"shipped", 400, 1000, "shipped"},
        {"confirmed", 1000, 1000, "refunded"},
        {"processing", 1000, 1000, "refunded"},
        {"cancelled", 1000, 1000, "cancelled"},
        {"pending_payment", 0, 0, "pending_payment"},
        {"delivered", 0, 1000, "delivered"},
        {"refunded", 1000, 1000, "refunded"},
    };
    for (auto& c : cases) {
        CAPTURE(c.status);
        CAPTURE(c.refunded);
        std::string to = status_after_refund(c.status, c.refunded, c.captured);
        CHECK(to == c.expected);
        // Every change it asks for is one the transition table allows.
        if (to != c.status) CHECK(can_transition(c.status, to));
    }
}

TEST_CASE("returns move requested to approved or rejected, approved to received or rejected, nothing else") {
    CHECK(can_move_return("requested", "approved"));
    CHECK(can_move_return("requested", "rejected"));
    CHECK(can_move_return("approved", "received"));
    CHECK(can_move_return("approved", "rejected"));
    CHECK_FALSE(can_move_return("requested", "received"));
    CHECK_FALSE(can_move_return("received", "rejected"));
    CHECK_FALSE(can_move_return("rejected", "approved"));
    CHECK_FALSE(can_move_return("approved", "approved"));
}

TEST_CASE("a return holds at most what was delivered and not returned yet") {
    std::vector<LineUnits> order{{"oln_a", 3, 2, 1, 0, 3000}, {"oln_b", 1, 0, 0, 0, 500}};
    auto ok = plan_return(order, {{"oln_a", 1}});
    REQUIRE(ok.has_value());
    CHECK(ok->size() == 1);
    auto too_many = plan_return(order, {{"oln_a", 2}});
    REQUIRE_FALSE(too_many.has_value());
    CHECK(too_many.error().fields.at(0).field == "lines[0].quantity");
    auto undelivered = plan_return(order, {{"oln_a", 1}, {"oln_b", 1}});
    REQUIRE_FALSE(undelivered.has_value());
    CHECK(undelivered.error().fields.at(0).field == "lines[1].quantity");
    auto unknown = plan_return(order, {{"oln_x", 1}});
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error().fields.at(0).field == "lines[0].line_id");
    auto twice = plan_return(order, {{"oln_a", 1}, {"oln_a", 1}});
    REQUIRE_FALSE(twice.has_value());
    CHECK(twice.error().fields.at(0).field == "lines[1].line_id");
}

TEST_CASE("a restock is what is asked within what is left of each line, or everything not restocked yet") {
    std::vector<LineUnits> order{{"oln_a", 3, 3, 0, 1, 3000}, {"oln_b", 2, 2, 0, 2, 500}};
    auto all = plan_restock(order, std::nullopt);
    REQUIRE(all.has_value());
    REQUIRE(all->size() == 1);
    CHECK(all->at(0).line_id == "oln_a");
    CHECK(all->at(0).quantity == 2);
    auto over = plan_restock(order, std::vector<AskedLine>{{"oln_b", 1}});
    REQUIRE_FALSE(over.has_value());
    CHECK(over.error().fields.at(0).field == "lines[0].quantity");
}

TEST_CASE("a returned unit is worth its line's share of what was paid for goods, rounded down") {
    // Subtotal 4000 (3 x 1000 + 1 x 1000), 10 % off and 20 % tax: paid for goods 4320.
    LineUnits a{"oln_a", 3, 3, 0, 0, 3000};
    CHECK(returned_value(4320, 4000, a, 1) == 1080);
    CHECK(returned_value(4320, 4000, a, 3) == 3240);
    // 1000 over 3 units rounds down per return.
    LineUnits b{"oln_b", 3, 3, 0, 0, 1000};
    CHECK(returned_value(1000, 1000, b, 1) == 333);
    CHECK(returned_value(0, 1000, b, 1) == 0);
    // Large amounts do not overflow.
    LineUnits big{"oln_c", 1, 1, 0, 0, 900'000'000'000};
    CHECK(returned_value(900'000'000'000, 900'000'000'000, big, 1) == 900'000'000'000);
}
