#include "catalog/src/domain/product_list.hpp"

#include <doctest/doctest.h>

using namespace shop::catalog::domain;

TEST_CASE("list orders: a key ascending or with a leading dash descending, newest by default") {
    struct Case {
        const char* sort;
        SortKey key;
        bool descending;
    };
    for (auto c : {Case{"", SortKey::created, true}, Case{"newest", SortKey::created, true}, Case{"created", SortKey::created, false},
                   Case{"-created", SortKey::created, true}, Case{"price", SortKey::price, false}, Case{"-price", SortKey::price, true},
                   Case{"title", SortKey::title, false}, Case{"-title", SortKey::title, true}, Case{"rating", SortKey::rating, false},
                   Case{"-rating", SortKey::rating, true}}) {
        CAPTURE(c.sort);
        auto o = list_order(c.sort);
        REQUIRE(o);
        CHECK(o->key == c.key);
        CHECK(o->descending == c.descending);
    }
    CHECK_FALSE(list_order("-"));
    CHECK_FALSE(list_order("cheapest"));
    CHECK_FALSE(list_order("--price"));
    CHECK_FALSE(list_order("-newest"));
    CHECK(list_order("title")->text_key());
    CHECK_FALSE(list_order("-rating")->text_key());
}

TEST_CASE("a list position survives its text form, and text it did not write is refused") {
    ListPosition p{"-price", "EUR", "", 1999, "prd_01ABC"};
    auto back = decode_position(encode_position(p));
    REQUIRE(back);
    CHECK(back->sort == "-price");
    CHECK(back->currency == "EUR");
    CHECK(back->int_key == 1999);
    CHECK(back->id == "prd_01ABC");
    ListPosition t{"title", "", "a \"quoted\" | title", 0, "prd_02"};
    CHECK(decode_position(encode_position(t))->text_key == "a \"quoted\" | title");
    CHECK_FALSE(decode_position("prd_01ABC"));
    CHECK_FALSE(decode_position("[\"bogus\",\"\",\"\",0,\"prd_1\"]"));
    CHECK_FALSE(decode_position("[\"price\",\"\",\"\",0,\"\"]"));
    CHECK_FALSE(decode_position("[\"price\",\"\",\"\",\"0\",\"prd_1\"]"));
}

TEST_CASE("sort keys: titles fold ASCII case only, ratings average in thousandths rounded half up") {
    CHECK(title_key("Blue Shirt") == "blue shirt");
    CHECK(title_key("Ärger ABC") == "Ärger abc");
    CHECK(rating_key(0, 0) == 0);
    CHECK(rating_key(5, 1) == 5000);
    CHECK(rating_key(9, 2) == 4500);
    CHECK(rating_key(10, 3) == 3333);
    CHECK(rating_key(11, 3) == 3667);
    CHECK(rating_key(1, 8) == 125);
    CHECK(rating_key(1, 16) == 63);  // 62.5 rounds up
}
