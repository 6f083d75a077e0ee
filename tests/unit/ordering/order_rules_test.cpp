#include <doctest/doctest.h>

#include "ordering/src/domain/order_rules.hpp"
#include "ordering/src/wire.hpp"

#include <array>
#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace json = boost::json;
using shop::FieldError;
using shop::ordering::domain::can_transition;

namespace {

constexpr std::array<std::string_view, 8> kStatuses{"pending_payment", "confirmed", "processing", "shipped",
                                                    "delivered",       "cancelled", "refunded",   "partially_refunded"};

// The order life cycle of the API contract: forward one step, cancelled before shipping, refunds after delivery
// (and a refund of everything captured before it).
constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kAllowed{{
    {"pending_payment", "confirmed"},
    {"pending_payment", "cancelled"},
    {"confirmed", "processing"},
    {"confirmed", "cancelled"},
    {"processing", "shipped"},
    {"processing", "cancelled"},
    {"shipped", "delivered"},
    {"confirmed", "refunded"},
    {"processing", "refunded"},
    {"shipped", "refunded"},
    {"delivered", "refunded"},
    {"delivered", "partially_refunded"},
    {"partially_refunded", "refunded"},
}};

bool listed(std::string_view from, std::string_view to) {
    for (auto& [f, t] : kAllowed)
        if (f == from && t == to) return true;
    return false;
}

json::object full_address() {
    return json::object{{"name", "Ada Lovelace"}, {"line1", "12 St James's Square"}, {"line2", "Flat 3"},
                        {"city", "London"},       {"region", "Greater London"},      {"postal_code", "SW1Y 4JH"},
                        {"country", "gb"},        {"phone", "+44 20 7946 0000"}};
}

// Reads an address exactly as a checkout body's `path` field is read.
json::object read_address(const json::value& in, const std::string& path, std::vector<FieldError>& errors) {
    shop::api::Reader r(errors);
    shop::ordering::Address a;
    if (!shop::api::read_value(in, a, path, r)) return {};
    return shop::api::write_value(a).as_object();
}

std::string fields_of(const std::vector<FieldError>& errors) {
    std::string out;
    for (auto& e : errors) out += (out.empty() ? "" : ", ") + e.field;
    return out;
}

}  // namespace

TEST_CASE("an order moves forward along its life cycle") {
    for (auto& step : kAllowed) {
        auto from = step.first, to = step.second;  // not a structured binding: clang 14 cannot capture one (CAPTURE)
        CAPTURE(from);
        CAPTURE(to);
        CHECK(can_transition(from, to));
    }
}

TEST_CASE("no other status change is allowed") {
    int forbidden = 0;
    for (auto from : kStatuses)
        for (auto to : kStatuses) {
            if (listed(from, to)) continue;
            CAPTURE(from);
            CAPTURE(to);
            CHECK_FALSE(can_transition(from, to));
            ++forbidden;
        }
    CHECK(forbidden == 64 - 13);
}

TEST_CASE("notable forbidden status changes") {
    SUBCASE("a shipped order can no longer be cancelled") { CHECK_FALSE(can_transition("shipped", "cancelled")); }
    SUBCASE("an unpaid order cannot ship") { CHECK_FALSE(can_transition("pending_payment", "shipped")); }
    SUBCASE("a cancelled order stays cancelled") {
        CHECK_FALSE(can_transition("cancelled", "confirmed"));
        CHECK_FALSE(can_transition("cancelled", "pending_payment"));
    }
    SUBCASE("an order never goes back") {
        CHECK_FALSE(can_transition("confirmed", "pending_payment"));
        CHECK_FALSE(can_transition("delivered", "shipped"));
        CHECK_FALSE(can_transition("refunded", "delivered"));
    }
    SUBCASE("a status is not a transition to itself") { CHECK_FALSE(can_transition("confirmed", "confirmed")); }
    SUBCASE("unknown or differently spelled statuses") {
        CHECK_FALSE(can_transition("Confirmed", "Processing"));
        CHECK_FALSE(can_transition("pending_payment", "paid"));
        CHECK_FALSE(can_transition("", ""));
    }
}

TEST_CASE("a complete address is read and its country upper-cased") {
    std::vector<FieldError> errors;
    json::object out = read_address(full_address(), "shipping_address", errors);
    CHECK(fields_of(errors) == "");
    CHECK(out == json::object{{"name", "Ada Lovelace"},
                              {"line1", "12 St James's Square"},
                              {"line2", "Flat 3"},
                              {"city", "London"},
                              {"region", "Greater London"},
                              {"postal_code", "SW1Y 4JH"},
                              {"country", "GB"},
                              {"phone", "+44 20 7946 0000"}});
}

TEST_CASE("optional address fields are left out when absent, and an unknown field is refused") {
    json::object in = full_address();
    in.erase("line2");
    in.erase("region");
    in.erase("phone");
    in["country"] = "Us";
    std::vector<FieldError> errors;
    json::object out = read_address(in, "billing_address", errors);
    CHECK(fields_of(errors) == "");
    CHECK_FALSE(out.contains("line2"));
    CHECK_FALSE(out.contains("region"));
    CHECK_FALSE(out.contains("phone"));
    CHECK(out.at("country") == "US");
    CHECK(out.size() == 5);
    in["company"] = "Analytical Engines Ltd";  // a typo or a field this API does not know: never silently dropped
    read_address(in, "billing_address", errors);
    CHECK(fields_of(errors) == "billing_address.company");
}

TEST_CASE("address text is trimmed - blank, NUL and bidi-control text is refused") {
    json::object in = full_address();
    std::vector<FieldError> errors;
    in["city"] = "  London  ";
    CHECK(read_address(in, "a", errors).at("city") == "London");
    SUBCASE("blank") { in["name"] = "   "; }
    SUBCASE("NUL") { in["name"] = std::string("Ada\0Lovelace", 12); }
    SUBCASE("bidi override") { in["name"] = "Ada \u202e ecalevoL"; }
    read_address(in, "a", errors);
    CHECK(fields_of(errors) == "a.name");
}

TEST_CASE("every missing required address field is reported under the address path") {
    std::vector<FieldError> errors;
    read_address(json::object{}, "shipping_address", errors);
    CHECK(fields_of(errors) ==
          "shipping_address.name, shipping_address.line1, shipping_address.city, shipping_address.postal_code, "
          "shipping_address.country");
    for (auto& e : errors) CHECK(e.message == "is required");
}

TEST_CASE("a country must be a two-letter code") {
    json::object in = full_address();
    std::vector<FieldError> errors;
    SUBCASE("three letters") { in["country"] = "GBR"; }
    SUBCASE("one letter") { in["country"] = "G"; }
    SUBCASE("a digit") { in["country"] = "G1"; }
    SUBCASE("a name") { in["country"] = "United Kingdom"; }
    SUBCASE("a number") { in["country"] = 826; }
    SUBCASE("empty") { in["country"] = ""; }
    read_address(in, "billing_address", errors);
    CHECK(fields_of(errors) == "billing_address.country");
}

TEST_CASE("address fields that are too long or of the wrong type are reported with their paths") {
    json::object in = full_address();
    std::vector<FieldError> errors;
    SUBCASE("postal code over 20 bytes") {
        in["postal_code"] = std::string(21, '9');
        read_address(in, "shipping_address", errors);
        CHECK(fields_of(errors) == "shipping_address.postal_code");
    }
    SUBCASE("name over 200 bytes") {
        in["name"] = std::string(201, 'a');
        read_address(in, "shipping_address", errors);
        CHECK(fields_of(errors) == "shipping_address.name");
    }
    SUBCASE("phone not a string") {
        in["phone"] = 442079460000;
        read_address(in, "shipping_address", errors);
        CHECK(fields_of(errors) == "shipping_address.phone");
    }
    SUBCASE("empty optional line2") {
        in["line2"] = "";
        read_address(in, "shipping_address", errors);
        CHECK(fields_of(errors) == "shipping_address.line2");
    }
    SUBCASE("null is not a value, not even for an optional field") {
        in["region"] = nullptr;
        read_address(in, "shipping_address", errors);
        CHECK(fields_of(errors) == "shipping_address.region");
    }
}
