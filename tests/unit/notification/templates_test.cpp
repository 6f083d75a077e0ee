#include <doctest/doctest.h>

#include "notification/src/domain/templates.hpp"

#include <map>
#include <string>

using shop::notification::domain::render;

namespace {

using Vars = std::map<std::string, std::string, std::less<>>;

const Vars kVars{{"name", "Ada"}, {"order_number", "SO-1042"}, {"total", "USD 19.99"}};

}  // namespace

TEST_CASE("variables are replaced by their values") {
    CHECK(render("Hello {{name}}!", kVars) == "Hello Ada!");
    CHECK(render("Order {{order_number}} totals {{total}}.", kVars) == "Order SO-1042 totals USD 19.99.");
    CHECK(render("{{name}}", kVars) == "Ada");
    CHECK(render("{{name}}{{order_number}}", kVars) == "AdaSO-1042");
}

TEST_CASE("spaces inside the braces are allowed") {
    CHECK(render("Hello {{ name }}!", kVars) == "Hello Ada!");
    CHECK(render("Hello {{name   }}!", kVars) == "Hello Ada!");
    CHECK(render("Hello {{   name}}!", kVars) == "Hello Ada!");
}

TEST_CASE("an unknown variable renders as nothing") {
    CHECK(render("Hello {{nmae}}!", kVars) == "Hello !");
    CHECK(render("Hello {{}}!", kVars) == "Hello !");
    CHECK(render("Hello {{ }}!", kVars) == "Hello !");
    CHECK(render("{{Name}}", kVars) == "");
    CHECK(render("Hello {{name}}!", Vars{}) == "Hello !");
}

TEST_CASE("unterminated braces are left as they are") {
    CHECK(render("Hello {{name", kVars) == "Hello {{name");
    CHECK(render("Hello {{name}", kVars) == "Hello {{name}");
    CHECK(render("Dear {{name}}, your total is {{total", kVars) == "Dear Ada, your total is {{total");
    CHECK(render("{{", kVars) == "{{");
}

TEST_CASE("single braces and closing braces alone are plain text") {
    CHECK(render("{name} and }}name{{ ", kVars) == "{name} and }}name{{ ");
    CHECK(render("a } b { c", kVars) == "a } b { c");
}

TEST_CASE("a variable used several times is replaced every time") {
    CHECK(render("{{name}}, {{ name }} and {{name}}", kVars) == "Ada, Ada and Ada");
}

TEST_CASE("text without variables is copied unchanged") {
    CHECK(render("", kVars) == "");
    CHECK(render("Thank you for your order.\nThe shop", kVars) == "Thank you for your order.\nThe shop");
    CHECK(render("Café crème", kVars) == "Café crème");
}

TEST_CASE("a value that looks like a variable is not expanded again") {
    Vars vars{{"name", "{{total}}"}, {"total", "USD 19.99"}};
    CHECK(render("Hello {{name}}", vars) == "Hello {{total}}");
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
