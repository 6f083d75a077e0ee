#include "ordering/src/domain/pricing.hpp"

#include <doctest/doctest.h>

#include <numeric>
#include <string>
#include <vector>

using namespace shop::ordering::domain;

namespace {

PriceLine line(std::string product, std::int64_t unit, std::int64_t qty, std::string tax_class = "standard") {
    return {"SKU-" + product, "prd_" + product, std::move(tax_class), qty, unit};
}

Promotion percent(std::int64_t p) {
    Promotion x;
    x.id = "pro_1";
    x.code = "SAVE";
    x.kind = "percent";
    x.percent = p;
    return x;
}

Promotion fixed(std::int64_t amount, std::string currency = "EUR") {
    Promotion x;
    x.id = "pro_2";
    x.kind = "fixed";
    x.amount = amount;
    x.currency = std::move(currency);
    return x;
}

}  // namespace

TEST_CASE("mul_div_round rounds half up and does not overflow") {
    CHECK(mul_div_round(1000, 1900, 10000) == 190);
    CHECK(mul_div_round(5, 1, 2) == 3);       // 2.5 -> 3
    CHECK(mul_div_round(4, 1, 3) == 1);       // 1.33 -> 1
    CHECK(mul_div_round(5, 1, 3) == 2);       // 1.67 -> 2
    CHECK(mul_div_round(999, 825, 10000) == 82);  // 82.4175
    CHECK(mul_div_round(1'000'000'000'000, 1'000'000, 1'000'000) == 1'000'000'000'000);
    CHECK_THROWS(mul_div_round(1, 1, 0));
}

TEST_CASE("allocate spreads an amount exactly, by largest remainder") {
    struct Case {
        std::int64_t amount;
        std::vector<std::int64_t> weights, parts;
    };
    for (auto& c : std::vector<Case>{
             {100, {1, 1, 1}, {34, 33, 33}},
             {10, {500, 500}, {5, 5}},
             {7, {100, 0, 300}, {2, 0, 5}},  // 1.75 -> 2, 5.25 -> 5
             {0, {3, 4}, {0, 0}},
             {1, {1, 1, 1}, {1, 0, 0}},
             {0, {0, 0}, {0, 0}},
         }) {
        CAPTURE(c.amount);
        auto parts = allocate(c.amount, c.weights);
        CHECK(parts == c.parts);
        CHECK(std::accumulate(parts.begin(), parts.end(), std::int64_t{0}) == c.amount);
    }
}

TEST_CASE("price: table of carts, promotions, shipping and tax") {
    std::vector<TaxRate> rates{{"DE", "", "standard", 1900}, {"DE", "", "reduced", 700},  {"DE", "", "shipping", 1900},
                               {"US", "", "standard", 0},    {"US", "CA", "standard", 725}, {"FR", "", "standard", 2000}};
    struct Case {
        const char* name;
        std::vector<PriceLine> lines;
        std::optional<Promotion> promotion;
        std::optional<ShippingRate> shipping;
        std::string country, region;
        bool inclusive;
        std::int64_t subtotal, discount, shipping_amount, tax, total;
    };
    std::vector<Case> cases{
        {"no tax where no rate", {line("a", 1000, 2)}, {}, ShippingRate{500, -1}, "GB", "", false, 2000, 0, 500, 0, 2500},
        {"exclusive DE, shipping taxed", {line("a", 1000, 2)}, {}, ShippingRate{500, -1}, "DE", "", false, 2000, 0, 500, 475, 2975},
        {"reduced class", {line("a", 1000, 1), line("b", 999, 1, "reduced")}, {}, ShippingRate{0, -1}, "DE", "", false, 1999, 0, 0,
         190 + 70, 2259},
        {"region before country", {line("a", 999, 1)}, {}, ShippingRate{0, -1}, "US", "CA", false, 999, 0, 0, 72, 1071},
        {"country when region has no rate", {line("a", 999, 1)}, {}, ShippingRate{0, -1}, "US", "NY", false, 999, 0, 0, 0, 999},
        {"rounded per line, half up", {line("a", 333, 1), line("b", 333, 1), line("c", 334, 1)}, {}, {}, "FR", "", false, 1000, 0, 0,
         67 + 67 + 67, 1201},
        {"inclusive: tax is inside the price", {line("a", 1190, 1)}, {}, ShippingRate{0, -1}, "DE", "", true, 1190, 0, 0, 190, 1190},
        {"percent discount before tax", {line("a", 1000, 2)}, percent(10), ShippingRate{500, -1}, "DE", "", false, 2000, 200, 500,
         342 + 95, 2737},
        {"percent rounds half up", {line("a", 5, 1)}, percent(10), {}, "", "", false, 5, 1, 0, 0, 4},
        {"fixed capped by subtotal", {line("a", 300, 1)}, fixed(500), ShippingRate{500, -1}, "", "", false, 300, 300, 500, 0, 500},
        {"free over, after discount", {line("a", 5000, 1)}, percent(10), ShippingRate{500, 4500}, "", "", false, 5000, 500, 0, 0, 4500},
        {"not free just under", {line("a", 5000, 1)}, percent(11), ShippingRate{500, 4500}, "", "", false, 5000, 550, 500, 0, 4950},
    };
    Promotion ship;
    ship.kind = "free_shipping";
    cases.push_back({"free shipping promotion", {line("a", 1000, 1)}, ship, ShippingRate{500, -1}, "DE", "", false, 1000, 0, 0, 190, 1190});
    Promotion only_b = percent(50);
    only_b.product_ids = {"prd_b"};
    cases.push_back({"product-limited discount taxes each line on what is paid", {line("a", 1000, 1), line("b", 1000, 1, "reduced")},
                     only_b, {}, "DE", "", false, 2000, 500, 0, 190 + 35, 1725});
    for (auto& c : cases) {
        CAPTURE(c.name);
        PricingInput in{"EUR", c.lines, c.promotion, c.shipping, c.country, c.region, rates, c.inclusive};
        auto p = price(in);
        CHECK(p.subtotal == c.subtotal);
        CHECK(p.discount == c.discount);
        CHECK(p.shipping == c.shipping_amount);
        CHECK(p.tax == c.tax);
        CHECK(p.total == c.total);
        std::int64_t tax_lines = 0;
        for (auto& t : p.tax_lines) tax_lines += t.amount;
        CHECK(tax_lines == p.tax);
        CHECK(std::accumulate(p.line_discounts.begin(), p.line_discounts.end(), std::int64_t{0}) == p.discount);
    }
}

TEST_CASE("shipping by weight: the lightest band holding the parcel, the flat price above every band") {
    ShippingRate rate{2500, -1, {{1000, 600}, {2000, 900}}};
    CHECK(shipping_amount(rate, 0) == 600);
    CHECK(shipping_amount(rate, 1000) == 600);
    CHECK(shipping_amount(rate, 1001) == 900);
    CHECK(shipping_amount(rate, 2000) == 900);
    CHECK(shipping_amount(rate, 2001) == 2500);
    CHECK(shipping_amount(ShippingRate{700, -1, {}}, 123456) == 700);
    PriceLine heavy = line("h", 1000, 3);
    heavy.weight_grams = 500;  // 1,500 g in all
    auto p = price({"EUR", {heavy}, {}, rate, "", "", {}, false});
    CHECK(p.shipping == 900);
    CHECK(p.total == 3900);
}

TEST_CASE("refusal: dates, limits, currency, minimum subtotal, targeted products") {
    std::vector<PriceLine> lines{line("a", 1000, 2)};
    auto p = percent(10);
    CHECK(refusal(p, "EUR", lines, 1000, 0) == "");
    p.active = false;
    CHECK(refusal(p, "EUR", lines, 1000, 0) == "is not active");
    p = percent(10);
    p.starts_ms = 2000;
    CHECK(refusal(p, "EUR", lines, 1999, 0) == "is not valid yet");
    CHECK(refusal(p, "EUR", lines, 2000, 0) == "");
    p.ends_ms = 3000;
    CHECK(refusal(p, "EUR", lines, 3000, 0) == "has expired");
    p = percent(10);
    p.usage_limit = 5;
    p.times_used = 5;
    CHECK(refusal(p, "EUR", lines, 0, 0) == "has been used up");
    p.times_used = 4;
    p.per_customer_limit = 1;
    CHECK(refusal(p, "EUR", lines, 0, 0) == "");
    CHECK(refusal(p, "EUR", lines, 0, 1).find("per customer") != std::string::npos);
    CHECK(refusal(fixed(500, "USD"), "EUR", lines, 0, 0) == "does not apply to carts in EUR");
    p = percent(10);
    p.min_subtotal = 2001;
    p.min_currency = "EUR";
    CHECK(refusal(p, "EUR", lines, 0, 0).find("at least 2001") != std::string::npos);
    p.min_subtotal = 2000;
    CHECK(refusal(p, "EUR", lines, 0, 0) == "");
    CHECK(refusal(p, "USD", lines, 0, 0) == "does not apply to carts in USD");
    p = percent(10);
    p.product_ids = {"prd_zzz"};
    CHECK(refusal(p, "EUR", lines, 0, 0) == "applies to none of the items in the cart");
}

TEST_CASE("a category promotion takes off the lines of products in the category or below it") {
    PriceLine shirt = line("shirt", 1000, 1);
    shirt.category_ids = {"cat_shirts", "cat_clothing"};  // the product's category and its ancestors
    PriceLine mug = line("mug", 1000, 1);
    mug.category_ids = {"cat_kitchen"};
    auto p = percent(50);
    p.category_ids = {"cat_clothing"};
    CHECK(refusal(p, "EUR", {shirt, mug}, 0, 0) == "");
    CHECK(line_discount(p, "EUR", {shirt, mug}) == 500);
    CHECK(refusal(p, "EUR", {mug}, 0, 0) == "applies to none of the items in the cart");
    p.product_ids = {"prd_mug"};  // products or categories
    CHECK(line_discount(p, "EUR", {shirt, mug}) == 1000);
}
