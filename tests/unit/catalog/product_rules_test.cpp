#include <doctest/doctest.h>

#include "catalog/src/domain/product_rules.hpp"

#include <boost/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace json = boost::json;
using shop::FieldError;
using shop::Money;
using shop::catalog::NewProduct;
using shop::catalog::domain::is_slug;
using shop::catalog::domain::slugify;

namespace {

// Reads a create-product body exactly as POST /api/v1/products does: its types, then the rules.
NewProduct read_new_product(const json::value& body, std::vector<FieldError>& errors) {
    shop::api::Reader r(errors);
    shop::catalog::NewProductRequest req;
    if (!shop::api::read_value(body, req, "", r)) return {};
    return shop::catalog::domain::new_product(req, errors);
}

json::object valid_body() {
    return json::object{
        {"title", "Red Running Shoes"},
        {"description", "Light and comfortable."},
        {"status", "published"},
        {"variants",
         json::array{
             json::object{{"sku", "RRS-42"},
                          {"title", "Size 42"},
                          {"options", json::object{{"size", "42"}, {"colour", "red"}}},
                          {"prices", json::array{json::object{{"amount", 4999}, {"currency", "USD"}},
                                                 json::object{{"amount", 4599}, {"currency", "EUR"}}}}},
             json::object{{"sku", "RRS-43"},
                          {"prices", json::array{json::object{{"amount", 4999}, {"currency", "USD"}}}}},
         }},
    };
}

// The fields named by the errors, in order, e.g. "title, variants[0].sku": readable when a check fails.
std::string fields_of(const std::vector<FieldError>& errors) {
    std::string out;
    for (auto& e : errors) out += (out.empty() ? "" : ", ") + e.field;
    return out;
}

std::string message_for(const std::vector<FieldError>& errors, const std::string& field) {
    for (auto& e : errors)
        if (e.field == field) return e.message;
    return "(no error for " + field + ")";
}

json::object& variant(json::object& body, std::size_t i) { return body["variants"].as_array()[i].as_object(); }
json::object& price(json::object& body, std::size_t v, std::size_t p) {
    return variant(body, v)["prices"].as_array()[p].as_object();
}

}  // namespace

TEST_CASE("slugify lower-cases words and joins them with single dashes") {
    CHECK(slugify("Red Running Shoes") == "red-running-shoes");
    CHECK(slugify("  --Hello__World!!--  ") == "hello-world");
    CHECK(slugify("T-Shirt (XL), 2 pack") == "t-shirt-xl-2-pack");
    CHECK(slugify("already-a-slug") == "already-a-slug");
    CHECK(slugify("ABC123") == "abc123");
}

TEST_CASE("slugify keeps only ASCII letters and digits") {
    CHECK(slugify("Café 2024") == "caf-2024");
    CHECK(slugify("!!!") == "");
    CHECK(slugify("") == "");
    CHECK(slugify("☃") == "");
}

TEST_CASE("slugify cuts a long word to 120 characters") {
    CHECK(slugify(std::string(200, 'a')) == std::string(120, 'a'));
    CHECK(slugify(std::string(120, 'a') + " more words") == std::string(120, 'a'));
}

TEST_CASE("slugify never makes a slug longer than 120 characters when a word starts at the limit") {
    SUBCASE("one long word") {
        std::string slug = slugify(std::string(119, 'a') + " bcd");
        CHECK(slug.size() <= 120);
        CHECK(is_slug(slug));
    }
    SUBCASE("many short words") {
        std::string words;
        for (int i = 0; i < 60; ++i) words += "ab ";
        std::string slug = slugify(words);
        CHECK(slug.size() <= 120);
        CHECK(slug.back() != '-');
        CHECK(is_slug(slug));
    }
}

TEST_CASE("is_slug accepts exactly what slugify produces") {
    CHECK(is_slug("red-shoes"));
    CHECK(is_slug("a1-b2-c3"));
    CHECK(is_slug("x"));
    CHECK_FALSE(is_slug(""));
    CHECK_FALSE(is_slug("Red-shoes"));
    CHECK_FALSE(is_slug("red--shoes"));
    CHECK_FALSE(is_slug("-red"));
    CHECK_FALSE(is_slug("red-"));
    CHECK_FALSE(is_slug("red shoes"));
    CHECK_FALSE(is_slug("red_shoes"));
    CHECK_FALSE(is_slug(std::string(121, 'a')));
}

TEST_CASE("a valid product body is read without errors") {
    std::vector<FieldError> errors;
    NewProduct p = read_new_product(valid_body(), errors);
    CHECK(fields_of(errors) == "");
    CHECK(p.title == "Red Running Shoes");
    CHECK(p.slug == "red-running-shoes");
    CHECK(p.description == "Light and comfortable.");
    CHECK(p.status == "published");
    REQUIRE(p.variants.size() == 2);
    CHECK(p.variants[0].sku == "RRS-42");
    CHECK(p.variants[0].title == "Size 42");
    CHECK(p.variants[0].options.size() == 2);
    // Options are kept by name.
    CHECK(p.variants[0].options[0] == std::pair<std::string, std::string>{"colour", "red"});
    CHECK(p.variants[0].options[1] == std::pair<std::string, std::string>{"size", "42"});
    REQUIRE(p.variants[0].prices.size() == 2);
    CHECK(p.variants[0].prices[0] == Money{4999, "USD"});
    CHECK(p.variants[0].prices[1] == Money{4599, "EUR"});
    CHECK(p.variants[1].sku == "RRS-43");
    CHECK(p.variants[1].title == "");
    CHECK(p.variants[1].options.empty());
}

TEST_CASE("optional product fields take their defaults") {
    json::object body = valid_body();
    body.erase("status");
    body.erase("description");
    std::vector<FieldError> errors;
    NewProduct p = read_new_product(body, errors);
    CHECK(fields_of(errors) == "");
    CHECK(p.status == "draft");
    CHECK(p.description == "");
}

TEST_CASE("an explicit slug is kept and must be a valid slug") {
    json::object body = valid_body();
    std::vector<FieldError> errors;
    SUBCASE("valid") {
        body["slug"] = "shoes-red-2024";
        CHECK(read_new_product(body, errors).slug == "shoes-red-2024");
        CHECK(fields_of(errors) == "");
    }
    SUBCASE("invalid") {
        body["slug"] = "Red Shoes";
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "slug");
    }
}

TEST_CASE("a product without a title is rejected with the title named") {
    json::object body = valid_body();
    body.erase("title");
    std::vector<FieldError> errors;
    read_new_product(body, errors);
    CHECK(fields_of(errors) == "title");
    CHECK(message_for(errors, "title") == "is required");
}

TEST_CASE("a title without letters or digits is rejected because no slug can be made") {
    json::object body = valid_body();
    body["title"] = "!!! ???";
    std::vector<FieldError> errors;
    read_new_product(body, errors);
    CHECK(fields_of(errors) == "title");

    errors.clear();
    body["slug"] = "punctuation";
    read_new_product(body, errors);
    CHECK(fields_of(errors) == "");
}

TEST_CASE("a product with an empty, missing or non-array variants list is rejected") {
    json::object body = valid_body();
    std::vector<FieldError> errors;
    SUBCASE("empty") {
        body["variants"] = json::array{};
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants");
        CHECK(message_for(errors, "variants") == "must hold at least one item");
    }
    SUBCASE("missing") {
        body.erase("variants");
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants");
        CHECK(message_for(errors, "variants") == "is required");
    }
    SUBCASE("not an array") {
        body["variants"] = json::object{{"sku", "RRS-42"}};
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants");
        CHECK(message_for(errors, "variants") == "must be an array");
    }
}

TEST_CASE("a product may have at most 100 variants") {
    json::object body = valid_body();
    json::array many;
    for (int i = 0; i < 101; ++i)
        many.push_back(json::object{{"sku", "SKU-" + std::to_string(i)},
                                    {"prices", json::array{json::object{{"amount", 100}, {"currency", "USD"}}}}});
    body["variants"] = many;
    std::vector<FieldError> errors;
    read_new_product(body, errors);
    CHECK(fields_of(errors) == "variants");

    errors.clear();
    many.pop_back();
    body["variants"] = many;
    NewProduct p = read_new_product(body, errors);
    CHECK(fields_of(errors) == "");
    CHECK(p.variants.size() == 100);
}

TEST_CASE("a repeated sku is rejected at the second variant") {
    json::object body = valid_body();
    variant(body, 1)["sku"] = "RRS-42";
    std::vector<FieldError> errors;
    read_new_product(body, errors);
    CHECK(fields_of(errors) == "variants[1].sku");
    CHECK(message_for(errors, "variants[1].sku") == "is repeated in this product");
}

TEST_CASE("a sku with characters outside letters, digits, dash, underscore and dot is rejected") {
    json::object body = valid_body();
    std::vector<FieldError> errors;
    variant(body, 0)["sku"] = "RRS_42.v-1";
    read_new_product(body, errors);
    CHECK(fields_of(errors) == "");

    for (const char* bad : {"RRS 42", "RRS/42", "RRS#42", "RéS"}) {
        CAPTURE(bad);
        errors.clear();
        variant(body, 0)["sku"] = bad;
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants[0].sku");
    }
}

TEST_CASE("a variant without a sku or prices is rejected with its path") {
    json::object body = valid_body();
    variant(body, 1).erase("sku");
    variant(body, 1).erase("prices");
    std::vector<FieldError> errors;
    read_new_product(body, errors);
    CHECK(fields_of(errors) == "variants[1].sku, variants[1].prices");
    CHECK(message_for(errors, "variants[1].prices") == "is required");

    errors.clear();
    body = valid_body();
    variant(body, 0)["prices"] = json::array{};
    read_new_product(body, errors);
    CHECK(fields_of(errors) == "variants[0].prices");
}

TEST_CASE("a bad currency is reported at its exact path") {
    json::object body = valid_body();
    std::vector<FieldError> errors;
    SUBCASE("lower case") { price(body, 0, 1)["currency"] = "eur"; }
    SUBCASE("not letters") { price(body, 0, 1)["currency"] = "E1R"; }
    SUBCASE("too short") { price(body, 0, 1)["currency"] = "EU"; }
    SUBCASE("too long") { price(body, 0, 1)["currency"] = "EURO"; }
    SUBCASE("empty") { price(body, 0, 1)["currency"] = ""; }
    SUBCASE("missing") { price(body, 0, 1).erase("currency"); }
    SUBCASE("a number") { price(body, 0, 1)["currency"] = 978; }
    read_new_product(body, errors);
    CHECK(fields_of(errors) == "variants[0].prices[1].currency");
}

TEST_CASE("a currency priced twice for one variant is rejected") {
    json::object body = valid_body();
    price(body, 0, 1)["currency"] = "USD";
    std::vector<FieldError> errors;
    read_new_product(body, errors);
    CHECK(fields_of(errors) == "variants[0].prices[1].currency");
    CHECK(message_for(errors, "variants[0].prices[1].currency") == "is repeated for this variant");
}

TEST_CASE("the same currency on two different variants is fine") {
    std::vector<FieldError> errors;
    NewProduct p = read_new_product(valid_body(), errors);
    CHECK(fields_of(errors) == "");
    CHECK(p.variants[0].prices[0].currency == p.variants[1].prices[0].currency);
}

TEST_CASE("a price amount must be a non-negative integer") {
    json::object body = valid_body();
    std::vector<FieldError> errors;
    SUBCASE("zero is allowed") {
        price(body, 1, 0)["amount"] = 0;
        NewProduct p = read_new_product(body, errors);
        CHECK(fields_of(errors) == "");
        CHECK(p.variants[1].prices[0].amount == 0);
    }
    SUBCASE("negative") {
        price(body, 1, 0)["amount"] = -1;
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants[1].prices[0].amount");
    }
    SUBCASE("a decimal number") {
        price(body, 1, 0)["amount"] = 49.99;
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants[1].prices[0].amount");
        CHECK(message_for(errors, "variants[1].prices[0].amount") == "must be an integer");
    }
    SUBCASE("a string") {
        price(body, 1, 0)["amount"] = "4999";
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants[1].prices[0].amount");
    }
    SUBCASE("missing") {
        price(body, 1, 0).erase("amount");
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants[1].prices[0].amount");
        CHECK(message_for(errors, "variants[1].prices[0].amount") == "is required");
    }
    SUBCASE("above the maximum") {
        price(body, 1, 0)["amount"] = 1'000'000'000'001LL;
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants[1].prices[0].amount");
    }
}

TEST_CASE("fields of the wrong JSON type are reported with their paths") {
    json::object body = valid_body();
    std::vector<FieldError> errors;
    SUBCASE("title") {
        body["title"] = 42;
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "title");
        CHECK(message_for(errors, "title") == "must be a string");
    }
    SUBCASE("status") {
        body["status"] = true;
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "status");
    }
    SUBCASE("a variant that is not an object") {
        body["variants"].as_array()[1] = "RRS-43";
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants[1]");
    }
    SUBCASE("a price that is not an object") {
        variant(body, 0)["prices"].as_array()[1] = 4599;
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants[0].prices[1]");
    }
    SUBCASE("options that are not an object") {
        variant(body, 0)["options"] = json::array{"42"};
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants[0].options");
    }
    SUBCASE("an option value that is not a string") {
        variant(body, 0)["options"].as_object()["size"] = 42;
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants[0].options.size");
    }
    SUBCASE("prices that are not an array") {
        variant(body, 0)["prices"] = json::object{{"amount", 4999}, {"currency", "USD"}};
        read_new_product(body, errors);
        CHECK(fields_of(errors) == "variants[0].prices");
    }
}

TEST_CASE("an unknown status is rejected") {
    json::object body = valid_body();
    body["status"] = "live";
    std::vector<FieldError> errors;
    read_new_product(body, errors);
    CHECK(fields_of(errors) == "status");
    CHECK(message_for(errors, "status") == "must be one of draft, published, archived");
}

TEST_CASE("every problem in a body is reported at once") {
    json::object body = valid_body();
    body.erase("title");
    body["status"] = "live";
    variant(body, 1)["sku"] = "RRS-42";
    price(body, 0, 0)["amount"] = -5;
    price(body, 0, 1)["currency"] = "eur";
    std::vector<FieldError> errors;
    read_new_product(body, errors);
    CHECK(fields_of(errors) ==
          "title, status, variants[0].prices[0].amount, variants[0].prices[1].currency");
    // The rules the types cannot state run once the types are right.
    body = valid_body();
    variant(body, 1)["sku"] = "RRS-42";
    price(body, 0, 1)["currency"] = "USD";
    errors.clear();
    read_new_product(body, errors);
    CHECK(fields_of(errors) == "variants[0].prices[1].currency, variants[1].sku");
}
