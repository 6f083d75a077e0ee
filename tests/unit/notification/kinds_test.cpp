#include <doctest/doctest.h>

#include "notification/src/domain/kinds.hpp"

#include <set>

using namespace shop::notification::domain;

TEST_CASE("every kind has a unique key, an event, a recipient and a valid built-in email template") {
    std::set<std::string> keys;
    for (auto& k : kinds()) {
        CAPTURE(k.key);
        CHECK(keys.insert(k.key).second);
        // A versioned event sends it; marketing mail is sent by an admin's campaign instead.
        CHECK((k.event.find(".v") != std::string::npos || k.category == "marketing"));
        CHECK((k.recipient == "customer" || k.recipient == "admins"));
        REQUIRE_FALSE(k.builtin.empty());
        CHECK(k.builtin[0].channel == "email");
        CHECK(template_problem(k.builtin[0].subject, k.schema) == std::nullopt);
        CHECK(template_problem(k.builtin[0].body, k.schema) == std::nullopt);
        // Every name has a sample, so a preview never shows a placeholder.
        auto v = sample_values(k.schema, k.samples, 1);
        // Named members, not structured bindings: clang 14 cannot capture those (CHECK_MESSAGE).
        for (auto& var : v.vars) CHECK_MESSAGE(var.second != "[" + var.first + "]", var.first);
        for (auto& l : v.lists)
            for (auto& f : l.second.at(0)) CHECK_MESSAGE(f.second != "[" + l.first + "." + f.first + "]", f.first);
    }
}

TEST_CASE("the events the issue names each notify someone") {
    for (auto key : {"welcome", "email_verification", "password_reset", "order_placed", "order_confirmation", "order_shipped", "order_delivered",
                     "order_cancelled", "order_refunded", "low_stock"})
        CHECK_MESSAGE(find_kind(key) != nullptr, key);
    CHECK(find_kind("low_stock")->recipient == "admins");
    CHECK(find_kind("nope") == nullptr);
}

TEST_CASE("every built-in template of every channel uses only the kind's names, and the channels say who may switch what off") {
    for (auto& k : kinds())
        for (auto& b : k.builtin) {
            CAPTURE(k.key);
            CAPTURE(b.channel);
            CHECK((b.channel == "email" || b.channel == "in_app" || b.channel == "sms" || b.channel == "push"));
            CHECK(template_problem(b.subject, k.schema) == std::nullopt);
            CHECK(template_problem(b.body, k.schema) == std::nullopt);
        }
    CHECK(sends_on(*find_kind("order_shipped"), "sms"));
    CHECK(sends_on(*find_kind("order_shipped"), "push"));
    CHECK_FALSE(sends_on(*find_kind("password_reset"), "in_app"));  // a reset link belongs in the mailbox only
    CHECK(sends_on(*find_kind("review_approved"), "in_app"));
    auto customer = preference_slots(false);
    auto admin = preference_slots(true);
    REQUIRE(find_slot(customer, "orders", "email"));
    CHECK(find_slot(customer, "orders", "email")->locked);
    CHECK_FALSE(find_slot(customer, "orders", "in_app")->locked);
    CHECK_FALSE(find_slot(customer, "orders", "sms")->locked);
    CHECK_FALSE(find_slot(customer, "reviews", "email")->locked);
    CHECK(find_slot(customer, "stock", "email") == nullptr);
    CHECK(find_slot(admin, "stock", "email") != nullptr);
}
