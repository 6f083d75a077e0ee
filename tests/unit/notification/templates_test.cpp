#include <doctest/doctest.h>

#include "notification/src/domain/templates.hpp"

#include <map>
#include <string>

using namespace shop::notification::domain;

namespace {

Values values() {
    Values v;
    v.vars = {{"name", "Ada <3 & co"}, {"order_number", "1042"}, {"total", "USD 19.99"}};
    v.lists["lines"] = {{{"title", "Tee"}, {"quantity", "2"}}, {{"title", "Mug"}, {"quantity", "1"}}};
    return v;
}

const Schema kSchema{{"name", "order_number", "total"}, {{"lines", {"title", "quantity"}}}};

}  // namespace

TEST_CASE("variables are replaced by their values, as is in text and escaped in HTML") {
    CHECK(render("Hello {{name}}!", values(), Escape::none) == "Hello Ada <3 & co!");
    CHECK(render("Hello {{ name }}!", values(), Escape::none) == "Hello Ada <3 & co!");
    CHECK(render("<p>Hello {{name}}!</p>", values(), Escape::html) == "<p>Hello Ada &lt;3 &amp; co!</p>");
    CHECK(render("<p>{{{name}}}</p>", values(), Escape::html) == "<p>Ada <3 & co</p>");
}

TEST_CASE("a section loops over a list, standalone section lines leave no blank lines") {
    CHECK(render("Order {{order_number}}:\n{{#lines}}\n  {{quantity}} x {{title}}\n{{/lines}}\nTotal {{total}}\n", values(), Escape::none) ==
          "Order 1042:\n  2 x Tee\n  1 x Mug\nTotal USD 19.99\n");
    Values empty = values();
    empty.lists["lines"].clear();
    CHECK(render("{{#lines}}{{title}}{{/lines}}{{^lines}}nothing{{/lines}}", empty, Escape::none) == "nothing");
}

TEST_CASE("a template naming only known variables passes validation") {
    CHECK(template_problem("Hello {{name}}, {{#lines}}{{quantity}} x {{title}} of {{order_number}}{{/lines}}{{^lines}}none{{/lines}}", kSchema) ==
          std::nullopt);
}

TEST_CASE("an unknown variable is named, in the text, in a loop and in an inverted section") {
    CHECK(template_problem("Hello {{nmae}}", kSchema) == "unknown variable 'nmae'");
    CHECK(template_problem("{{#lines}}{{price}}{{/lines}}", kSchema) == "unknown variable 'price'");
    CHECK(template_problem("{{^lines}}{{sorry}}{{/lines}}", kSchema) == "unknown variable 'sorry'");
    CHECK(template_problem("{{#items}}x{{/items}}", kSchema) == "unknown variable 'items'");
    CHECK(template_problem("{{title}}", kSchema) == "unknown variable 'title'");  // a list item's field outside its loop
}

TEST_CASE("a template that does not parse or asks for a partial is refused") {
    CHECK(template_problem("{{#lines}}unclosed", kSchema).has_value());
    CHECK(template_problem("{{name", kSchema).has_value());
    CHECK(template_problem("{{> footer}}", kSchema).value().find("partial") != std::string::npos);
}

TEST_CASE("sample values cover every variable and list field") {
    auto v = sample_values(kSchema, {{"name", "Ada"}, {"lines.title", "Tee"}}, 2);
    CHECK(v.vars.at("name") == "Ada");
    CHECK(v.vars.at("total") == "[total]");
    REQUIRE(v.lists.at("lines").size() == 2);
    CHECK(v.lists.at("lines")[1].at("title") == "Tee");
    CHECK(v.lists.at("lines")[0].at("quantity") == "[lines.quantity]");
}

TEST_CASE("the HTML alternative of a text mail escapes everything and keeps its paragraphs") {
    using shop::notification::domain::html_of_text;
    std::string html = html_of_text("Hello <Ann> & \"Bob\",\n\n  2 x Tee\n  1 x Mug\n\n\nBye");
    CHECK(html.find("<p style=\"white-space: pre-wrap\">Hello &lt;Ann&gt; &amp; &quot;Bob&quot;,</p>") != std::string::npos);
    CHECK(html.find("<p style=\"white-space: pre-wrap\">  2 x Tee\n  1 x Mug</p>") != std::string::npos);
    CHECK(html.find("<p style=\"white-space: pre-wrap\">Bye</p>") != std::string::npos);
    CHECK(html.find("<Ann>") == std::string::npos);
}

TEST_CASE("links in a text mail become clickable, escaped, in its HTML alternative") {
    using shop::notification::domain::html_of_text;
    std::string html = html_of_text("Reset here:\nhttps://shop.example/reset?token=a&b=<x> then log in");
    CHECK(html.find("<a href=\"https://shop.example/reset?token=a&amp;b=&lt;x&gt;\">https://shop.example/reset?token=a&amp;b=&lt;x&gt;</a> then log in") !=
          std::string::npos);
    CHECK(html_of_text("httpd is not a link").find("<a ") == std::string::npos);
}

TEST_CASE("a provider's request body escapes values for JSON strings or percent-encodes them for a form") {
    Values v;
    v.vars = {{"to", "+15551234567"}, {"text", "Order \"1042\" shipped\nTrack: a&b=c é"}};
    auto json = render(R"({"to":"{{to}}","body":"{{text}}"})", v, Escape::json);
    CHECK(json == R"({"to":"+15551234567","body":"Order \"1042\" shipped\nTrack: a&b=c é"})");
    auto form = render("To={{to}}&Body={{text}}", v, Escape::form);
    CHECK(form == "To=%2B15551234567&Body=Order%20%221042%22%20shipped%0ATrack%3A%20a%26b%3Dc%20%C3%A9");
}
