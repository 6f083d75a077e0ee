#include "catalog/src/domain/attributes.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

using namespace shop::catalog::domain;
namespace json = boost::json;

namespace {
std::vector<AttributeDef> defs() {
    return {AttributeDef{"atr_1", "color", "Colour", AttributeType::option, {"red", "blue"}},
            AttributeDef{"atr_2", "weight", "Weight", AttributeType::number, {}},
            AttributeDef{"atr_3", "waterproof", "Waterproof", AttributeType::boolean, {}},
            AttributeDef{"atr_4", "material", "Material", AttributeType::text, {}}};
}
}  // namespace

TEST_CASE("attribute values must match the attribute's type") {
    auto d = defs();
    CHECK(attribute_value(d[0], json::value("red")).first->text == "red");
    CHECK_FALSE(attribute_value(d[0], json::value("green")).first);
    CHECK(attribute_value(d[0], json::value("green")).second == "must be one of red, blue");
    CHECK(attribute_value(d[1], json::value(2.5)).first->number == 2.5);
    CHECK(attribute_value(d[1], json::value(3)).first->number == 3.0);
    CHECK_FALSE(attribute_value(d[1], json::value("3")).first);
    CHECK(attribute_value(d[2], json::value(true)).first->text == "true");
    CHECK_FALSE(attribute_value(d[2], json::value("true")).first);
    CHECK(attribute_value(d[3], json::value("nylon")).first->text == "nylon");
    CHECK_FALSE(attribute_value(d[3], json::value("")).first);
    CHECK_FALSE(attribute_value(d[3], json::value(1)).first);
    CHECK(attribute_json(AttributeType::number, {std::nullopt, 3.0}) == json::value(3));
    CHECK(attribute_json(AttributeType::number, {std::nullopt, 2.5}) == json::value(2.5));
    CHECK(attribute_json(AttributeType::boolean, {std::string("false"), std::nullopt}) == json::value(false));
}

TEST_CASE("attr. query parameters become filters, and a bad one names itself") {
    auto d = defs();
    auto [filters, problem] =
        attribute_filters({{"attr.color", "red,blue"}, {"attr.weight.min", "1"}, {"attr.weight.max", "2.5"}, {"sort", "price"}, {"attr.waterproof", "true"}}, d);
    REQUIRE_FALSE(problem);
    REQUIRE(filters.size() == 3);
    CHECK(filters[0].attribute_id == "atr_1");
    CHECK(filters[0].any_of == std::vector<std::string>{"red", "blue"});
    CHECK(filters[1].min == 1.0);
    CHECK(filters[1].max == 2.5);
    CHECK(filters[2].any_of == std::vector<std::string>{"true"});
    auto exact = attribute_filters({{"attr.weight", "3"}}, d).first;
    CHECK(exact[0].min == 3.0);
    CHECK(exact[0].max == 3.0);

    struct Bad {
        const char* name;
        const char* value;
    };
    for (auto b : {Bad{"attr.size", "M"}, Bad{"attr.color", "green"}, Bad{"attr.color", "red,"}, Bad{"attr.color.min", "1"},
                   Bad{"attr.weight.avg", "1"}, Bad{"attr.weight", "heavy"}, Bad{"attr.weight", "1e999"}, Bad{"attr.waterproof", "yes"}}) {
        CAPTURE(b.name);
        auto [f, p] = attribute_filters({{b.name, b.value}}, d);
        REQUIRE(p);
        CHECK(p->parameter == b.name);
    }
    auto twice = attribute_filters({{"attr.color", "red"}, {"attr.color", "blue"}}, d);
    REQUIRE(twice.second);
    CHECK(twice.second->parameter == "attr.color");
    CHECK(is_attribute_code("weight_kg"));
    CHECK_FALSE(is_attribute_code("Weight"));
    CHECK_FALSE(is_attribute_code("9lives"));
    CHECK_FALSE(is_attribute_code("a.b"));
}
