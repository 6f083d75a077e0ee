#include "catalog/src/domain/product_csv.hpp"

#include <doctest/doctest.h>

using namespace shop::catalog::domain;
using Records = std::vector<std::vector<std::string>>;

TEST_CASE("CSV records: quoted fields with commas, doubled quotes and line breaks, CRLF or LF, a BOM, blank lines") {
    auto r = parse_csv("\xEF\xBB\xBFhandle,title\r\nmug,\"Mug, \"\"large\"\"\"\r\n\r\nlamp,\"two\nlines\"\nlast,\r\n");
    REQUIRE(r.has_value());
    CHECK(*r == Records{{"handle", "title"}, {"mug", "Mug, \"large\""}, {"lamp", "two\nlines"}, {"last", ""}});
    auto no_final_newline = parse_csv("a,b\n1,2");
    REQUIRE(no_final_newline.has_value());
    CHECK(no_final_newline->back() == std::vector<std::string>{"1", "2"});
}

TEST_CASE("a malformed CSV names the record where it went wrong") {
    auto unclosed = parse_csv("a,b\r\n1,\"open\r\n");
    REQUIRE_FALSE(unclosed.has_value());
    CHECK(unclosed.error().fields.at(0).field == "body");
    CHECK(unclosed.error().fields.at(0).message.find("record 2") != std::string::npos);
    auto stray = parse_csv("a,b\r\n1,x\"y\"z\r\n");
    CHECK_FALSE(stray.has_value());
}

TEST_CASE("written records read back to the same fields") {
    std::vector<std::string> fields{"plain", "with, comma", "with \"quotes\"", "two\r\nlines", ""};
    auto text = csv_record({"h1", "h2", "h3", "h4", "h5"}) + csv_record(fields);
    auto r = parse_csv(text);
    REQUIRE(r.has_value());
    CHECK(r->at(1) == fields);
    CHECK(csv_record({"a", "b"}) == "\"a\",\"b\"\r\n");
}

TEST_CASE("the formula guard prefixes what a spreadsheet would run, and only that comes off again") {
    CHECK(guard_cell("=SUM(A1)") == "'=SUM(A1)");
    CHECK(guard_cell("+1") == "'+1");
    CHECK(guard_cell("-x") == "'-x");
    CHECK(guard_cell("@cmd") == "'@cmd");
    CHECK(guard_cell("Mug") == "Mug");
    CHECK(unguard_cell("'=SUM(A1)") == "=SUM(A1)");
    CHECK(unguard_cell("'quoted'") == "'quoted'");
    CHECK(unguard_cell("'") == "'");
    for (auto s : {"=a", "'=a", "''+b", "plain", "'", "'x", "-", ""}) CHECK(unguard_cell(guard_cell(s)) == s);
}

TEST_CASE("the options cell: name=value pairs with escapes, malformed cells refused") {
    std::vector<std::pair<std::string, std::string>> opts{{"size", "M"}, {"fit;cut", "a=b\\c"}};
    auto cell = options_cell(opts);
    CHECK(cell == "size=M;fit\\;cut=a\\=b\\\\c");
    std::string problem;
    auto back = parse_options_cell(cell, problem);
    REQUIRE(back);
    CHECK(*back == opts);
    CHECK(parse_options_cell("", problem)->empty());
    for (auto bad : {"size", "size=", "=M", "size=M;", "size=M;size=L", "a=b\\"}) {
        CAPTURE(bad);
        problem.clear();
        CHECK_FALSE(parse_options_cell(bad, problem));
        CHECK_FALSE(problem.empty());
    }
}

TEST_CASE("the header: known columns once, handle and sku required, ISO 4217 prices, known warehouses") {
    auto ok = read_header({"handle", "sku", "price.USD", "stock.main"}, {"east", "main"}, true);
    REQUIRE(ok.has_value());
    CHECK(ok->at(2).kind == CsvColumn::Kind::price);
    CHECK(ok->at(2).param == "USD");
    CHECK(ok->at(3).param == "main");
    auto field = [](const shop::Result<std::vector<CsvColumn>>& r) { return r.error().fields.at(0).field; };
    CHECK(field(read_header({"handle", "sku", "colour"}, {}, true)) == "header[2]");
    CHECK(field(read_header({"handle", "sku", "sku"}, {}, true)) == "header[2]");
    CHECK(field(read_header({"handle", "title"}, {}, true)) == "header");
    CHECK(field(read_header({"handle", "sku", "price.usd"}, {}, true)) == "header[2]");
    CHECK(field(read_header({"handle", "sku", "stock.west"}, {"main"}, true)) == "header[2]");
    CHECK(field(read_header({"handle", "sku", "stock.main"}, {"main"}, false)) == "header[2]");
}

TEST_CASE("counts are whole non-negative numbers") {
    CHECK(parse_count("0") == 0);
    CHECK(parse_count("1999") == 1999);
    for (auto bad : {"", "-1", "1.5", "1e3", " 1", "1234567890123456789"}) CHECK_FALSE(parse_count(bad));
}
