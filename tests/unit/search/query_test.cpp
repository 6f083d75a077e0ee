#include <doctest/doctest.h>

#include "search/src/domain/query.hpp"

#include <string>
#include <vector>

using shop::search::domain::fts_query;
using shop::search::domain::tokenize;

namespace {

using Words = std::vector<std::string>;

// "red|shoes": readable when a check fails.
std::string joined(const Words& words) {
    std::string out;
    for (auto& w : words) out += (out.empty() ? "" : "|") + w;
    return out;
}

}  // namespace

TEST_CASE("a query is split into lower-case words") {
    CHECK(tokenize("Red Shoes") == Words{"red", "shoes"});
    CHECK(tokenize("RED") == Words{"red"});
    CHECK(tokenize("  red   shoes  ") == Words{"red", "shoes"});
    CHECK(tokenize("size 42") == Words{"size", "42"});
}

TEST_CASE("punctuation separates words and is dropped") {
    CHECK(joined(tokenize("red,shoes!!")) == "red|shoes");
    CHECK(joined(tokenize("t-shirt (xl)")) == "t|shirt|xl");
    CHECK(joined(tokenize("men's_running.shoes")) == "men|s|running|shoes");
    CHECK(joined(tokenize("a\tb\nc")) == "a|b|c");
}

TEST_CASE("a query without letters or digits has no words") {
    CHECK(tokenize("").empty());
    CHECK(tokenize("   ").empty());
    CHECK(tokenize("!?.,;:-_()[]{}\"'*^+").empty());
}

TEST_CASE("non-ASCII letters are kept as part of words") {
    CHECK(joined(tokenize("Crème brûlée")) == "crème|brûlée");
    CHECK(joined(tokenize("日本 茶")) == "日本|茶");
    CHECK(joined(tokenize("café,latte")) == "café|latte");
}

TEST_CASE("at most 10 words are kept") {
    CHECK(tokenize("a b c d e f g h i j").size() == 10);
    Words words = tokenize("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12");
    CHECK(joined(words) == "w1|w2|w3|w4|w5|w6|w7|w8|w9|w10");
}

TEST_CASE("a word is cut to 64 bytes") {
    CHECK(tokenize(std::string(64, 'a')) == Words{std::string(64, 'a')});
    CHECK(tokenize(std::string(100, 'B')) == Words{std::string(64, 'b')});
    CHECK(tokenize(std::string(65, 'x') + " y") == Words{std::string(64, 'x'), "y"});
}

TEST_CASE("the FTS5 query quotes every word and makes the last one a prefix") {
    CHECK(fts_query({"red", "sho"}) == R"("red" "sho"*)");
    CHECK(fts_query({"red"}) == R"("red"*)");
    CHECK(fts_query({"a", "b", "c"}) == R"("a" "b" "c"*)");
    CHECK(fts_query({}) == "");
}

TEST_CASE("FTS5 syntax typed by a shopper is inert") {
    SUBCASE("double quotes") { CHECK(fts_query(tokenize(R"("red shoes)")) == R"("red" "shoes"*)"); }
    SUBCASE("a stray quote inside a word") { CHECK(fts_query(tokenize(R"(red"shoes)")) == R"("red" "shoes"*)"); }
    SUBCASE("a star") { CHECK(fts_query(tokenize("sho* red")) == R"("sho" "red"*)"); }
    SUBCASE("boolean operators") {
        CHECK(fts_query(tokenize("red OR blue NOT green AND shoes")) ==
              R"("red" "or" "blue" "not" "green" "and" "shoes"*)");
    }
    SUBCASE("NEAR groups") { CHECK(fts_query(tokenize("NEAR(red shoes, 2)")) == R"("near" "red" "shoes" "2"*)"); }
    SUBCASE("column filters and initial tokens") {
        CHECK(fts_query(tokenize("title:red ^shoes -blue {title body}:x")) ==
              R"("title" "red" "shoes" "blue" "title" "body" "x"*)");
    }
    SUBCASE("nothing but syntax") { CHECK(fts_query(tokenize(R"(" * ( ) : ^ -)")) == ""); }
}

TEST_CASE("a double quote inside a word handed to fts_query is escaped by doubling it") {
    // fts_query promises that quoting makes FTS5 syntax inert; FTS5 escapes a quote inside a string by doubling it.
    // tokenize never yields such a word, but fts_query is a public function of its own.
    CHECK(fts_query({R"(red" OR "blue)"}) == R"("red"" OR ""blue"*)");
}

TEST_CASE("the typo budget grows with the word: none below four letters, one up to seven, two from eight") {
    using shop::search::domain::typo_budget;
    CHECK(typo_budget("mat") == 0);
    CHECK(typo_budget("yoga") == 1);
    CHECK(typo_budget("sweater") == 1);
    CHECK(typo_budget("headphones") == 2);
}

TEST_CASE("edit distance counts insertions, deletions, substitutions and adjacent swaps, and stops past the limit") {
    using shop::search::domain::edit_distance;
    CHECK(edit_distance("yoga", "yoga", 2) == 0);
    CHECK(edit_distance("yoag", "yoga", 2) == 1);             // swap
    CHECK(edit_distance("yga", "yoga", 2) == 1);              // insertion
    CHECK(edit_distance("yogaa", "yoga", 2) == 1);            // deletion
    CHECK(edit_distance("yoda", "yoga", 2) == 1);             // substitution
    CHECK(edit_distance("headphnes", "headphones", 2) == 1);
    CHECK(edit_distance("hedphnes", "headphones", 2) == 2);
    CHECK(edit_distance("sneakers", "sweater", 2) == 3);      // beyond the limit: limit + 1
    CHECK(edit_distance("a", "abcdefgh", 2) == 3);
}

TEST_CASE("a word is corrected to the nearest indexed term within its budget, ties alphabetically") {
    using shop::search::domain::correction;
    const Words terms{"mat", "yoga", "yogurt", "toga", "headphones", "head"};
    CHECK(correction("yoag", terms, false) == "yoga");
    CHECK(correction("hedphones", terms, false) == "headphones");
    CHECK(correction("xoga", terms, false) == "toga");        // toga and yoga are both one away: alphabetical
    CHECK_FALSE(correction("mta", terms, false));            // three letters: no guessing
    CHECK_FALSE(correction("zebra", terms, false));
    CHECK(correction("yogr", Words{"yogurt", "mat"}, true) == "yogurt");  // a beginning being typed: "yogu..."
    CHECK_FALSE(correction("yogr", Words{"yogurt"}, false));  // as a whole word it is two away
}
