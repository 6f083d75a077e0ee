#include "catalog/src/domain/fx.hpp"

#include <doctest/doctest.h>

using namespace shop::catalog::domain;
using shop::Money;

TEST_CASE("FX rates are positive decimal strings, normalised, with at most 9 integer and 8 fraction digits") {
    struct Case {
        const char* text;
        const char* normalised;  // nullptr: refused
    };
    for (auto c : {Case{"0.9215", "0.9215"}, Case{"151.25", "151.25"}, Case{"1", "1"}, Case{"1.50", "1.5"}, Case{"0.00000001", "0.00000001"},
                   Case{"007.10", "7.1"}, Case{"123456789.12345678", "123456789.12345678"}, Case{"0", nullptr}, Case{"0.000", nullptr},
                   Case{"-1", nullptr}, Case{"+1", nullptr}, Case{"1e3", nullptr}, Case{".5", nullptr}, Case{"5.", nullptr},
                   Case{"1234567890", nullptr}, Case{"0.123456789", nullptr}, Case{"", nullptr}, Case{"1,5", nullptr}}) {
        CAPTURE(c.text);
        auto r = parse_rate(c.text);
        if (!c.normalised) {
            CHECK_FALSE(r);
            continue;
        }
        REQUIRE(r);
        CHECK(r->text == c.normalised);
    }
}

TEST_CASE("conversion moves between minor units and rounds half up") {
    struct Case {
        std::int64_t base;
        const char* from;
        const char* to;
        const char* rate;
        std::int64_t expected;
    };
    for (auto c : {Case{1999, "USD", "EUR", "0.9215", 1842},  // 18.420785
                   Case{1000, "USD", "EUR", "0.9215", 922},   // 9.215 -> up
                   Case{1999, "USD", "JPY", "151.25", 3023},  // 3023.4875
                   Case{1999, "USD", "JPY", "150", 2999},     // 2998.5 -> up
                   Case{1999, "USD", "KWD", "0.30712", 6139}, // 6.1393288 KWD = 6139 fils
                   Case{3023, "JPY", "USD", "0.0066", 1995},  // 3023 yen x 0.0066 = 19.9518 USD = 1995.18 cents
                   Case{0, "USD", "EUR", "0.9", 0}, Case{1, "USD", "EUR", "0.5", 1}, Case{1, "USD", "EUR", "0.49", 0}}) {
        CAPTURE(c.base);
        CAPTURE(c.rate);
        CAPTURE(c.to);
        auto rate = parse_rate(c.rate);
        REQUIRE(rate);
        CHECK(convert(c.base, c.from, c.to, *rate) == c.expected);
    }
    CHECK_FALSE(convert(1'000'000'000'000, "USD", "IDR", *parse_rate("99999999.9")));
}

TEST_CASE("a shown price is the explicit one when it exists, else the converted base price, else none") {
    FxTable fx{"USD", {{"EUR", *parse_rate("0.5")}}};
    std::vector<Money> both{{1000, "USD"}, {700, "EUR"}};
    std::vector<Money> base_only{{1001, "USD"}};
    std::vector<Money> gbp_only{{800, "GBP"}};
    CHECK(shown_price(both, "EUR", fx)->amount == 700);
    CHECK_FALSE(shown_price(both, "EUR", fx)->converted);
    CHECK(shown_price(base_only, "EUR", fx)->amount == 501);  // 500.5 -> up
    CHECK(shown_price(base_only, "EUR", fx)->converted);
    CHECK_FALSE(shown_price(base_only, "JPY", fx));
    CHECK_FALSE(shown_price(gbp_only, "EUR", fx));
    CHECK(shown_price(gbp_only, "GBP", fx)->amount == 800);
    auto lowest = lowest_prices({&both, &base_only, &gbp_only}, fx);
    CHECK(lowest == std::map<std::string, std::int64_t>{{"EUR", 501}, {"GBP", 800}, {"USD", 1000}});
}

TEST_CASE("ISO 4217 codes are known, made-up ones are not") {
    for (auto c : {"USD", "EUR", "JPY", "KWD", "GBP", "CHF", "AED", "ZWG"}) CHECK(is_iso4217(c));
    for (auto c : {"XYZ", "ABC", "usd", "US", "EURO", ""}) CHECK_FALSE(is_iso4217(c));
}
