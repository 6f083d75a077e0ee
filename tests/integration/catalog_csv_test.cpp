// The product CSV over HTTP as an admin uses it: export every product with variants, prices and
// stock; import the file back unchanged; import new and changed products with a report per row;
// refuse a malformed file or header naming the problem.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

const std::map<std::string, std::string> kCsv{{"Content-Type", "text/csv"}};

HttpResult import(HttpClient& c, const std::string& csv, std::map<std::string, std::string> headers = kCsv) {
    return c.request("POST", "/api/v1/admin/products/import", csv, headers);
}

/// The row of the report with this record number.
json::object row(const HttpResult& r, std::int64_t number) {
    auto body = r.json();
    for (auto& x : body.at("results").as_array())
        if (x.at("row").as_int64() == number) return x.as_object();
    FAIL("no row " << number << " in " << r.body);
    return {};
}

std::string outcome(const HttpResult& r, std::int64_t number) { return std::string(row(r, number).at("outcome").as_string()); }

std::string error_column(const HttpResult& r, std::int64_t number) {
    auto x = row(r, number);
    REQUIRE_MESSAGE(!x.at("errors").as_array().empty(), r.body);
    return std::string(x.at("errors").at(0).at("column").as_string());
}

std::int64_t on_hand(HttpClient& admin, const std::string& sku, const std::string& warehouse) {
    auto r = admin.get("/api/v1/admin/inventory/" + sku);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    auto body = r.json();
    for (auto& l : body.at("levels").as_array())
        if (l.at("warehouse").as_string() == warehouse) return l.at("on_hand").as_int64();
    return -1;
}

std::int64_t price(const json::value& product, const std::string& sku, const std::string& currency) {
    for (auto& v : product.at("variants").as_array()) {
        if (v.at("sku").as_string() != sku) continue;
        for (auto& p : v.at("prices").as_array())
            if (p.at("currency").as_string() == currency) return p.at("amount").as_int64();
    }
    return -1;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        auto end = text.find("\r\n", at);
        out.push_back(text.substr(at, end - at));
        at = end == std::string::npos ? text.size() : end + 2;
    }
    return out;
}

}  // namespace

TEST_CASE("the product CSV exports variants, prices, taxonomy and stock, and the file imports back unchanged") {
    TestShop shop;
    auto admin = shop.admin();
    auto brand = admin.post("/api/v1/brands", json::object{{"name", "Summit Gear"}});
    REQUIRE_MESSAGE(brand.status == 201, brand.body);
    auto cat = admin.post("/api/v1/categories", json::object{{"name", "Tents"}});
    REQUIRE_MESSAGE(cat.status == 201, cat.body);
    auto created = admin.post(
        "/api/v1/products",
        json::object{{"title", "=Trail \"Tent\", 2 person"},
                     {"status", "published"},
                     {"description", "Light, with a\nporch."},
                     {"brand_id", brand.str("id")},
                     {"category_ids", json::array{cat.str("id")}},
                     {"variants", json::array{json::object{{"sku", "TENT-G"},
                                                           {"options", json::object{{"colour", "green"}}},
                                                           {"weight_grams", 1800},
                                                           {"prices", json::array{json::object{{"amount", 19999}, {"currency", "USD"}},
                                                                                  json::object{{"amount", 18999}, {"currency", "EUR"}}}}},
                                              json::object{{"sku", "TENT-R"},
                                                           {"options", json::object{{"colour", "red"}}},
                                                           {"prices", json::array{json::object{{"amount", 20999}, {"currency", "USD"}}}}}}}});
    REQUIRE_MESSAGE(created.status == 201, created.body);
    auto id = created.str("id");
    REQUIRE(admin.put("/api/v1/admin/inventory/TENT-G", json::object{{"warehouse", "main"}, {"on_hand", 7}}).status == 200);

    auto exported = admin.get("/api/v1/admin/products/export");
    REQUIRE_MESSAGE(exported.status == 200, exported.body);
    CHECK(exported.header("content-type").starts_with("text/csv"));
    CHECK(exported.header("content-disposition").find("products.csv") != std::string::npos);
    auto rows = lines(exported.body);
    REQUIRE(rows.size() == 3);  // header + one row per variant
    CHECK(rows[0] ==
          "\"product_id\",\"handle\",\"title\",\"status\",\"description\",\"brand\",\"categories\",\"tax_class\",\"meta_title\","
          "\"meta_description\",\"sku\",\"variant_title\",\"options\",\"weight_grams\",\"price.USD\",\"price.EUR\",\"stock.main\"");
    // The formula guard, doubled quotes, the brand and category by slug, explicit prices only.
    CHECK(rows[1].starts_with("\"" + id + "\",\"trail-tent-2-person\",\"'=Trail \"\"Tent\"\", 2 person\",\"published\""));
    CHECK(rows[1].find("\"summit-gear\",\"tents\",\"standard\"") != std::string::npos);
    CHECK(rows[1].find("\"TENT-G\",\"\",\"colour=green\",\"1800\",\"19999\",\"18999\",\"7\"") != std::string::npos);
    CHECK(rows[2].find("\"TENT-R\",\"\",\"colour=red\",\"0\",\"20999\",\"\",\"\"") != std::string::npos);

    auto again = import(admin, exported.body);
    REQUIRE_MESSAGE(again.status == 200, again.body);
    CHECK(again.json().at("rows").as_int64() == 2);
    CHECK(again.json().at("unchanged").as_int64() == 2);
    CHECK(again.json().at("failed").as_int64() == 0);
    auto product = admin.get("/api/v1/products/" + id).json();
    CHECK(product.at("title").as_string() == "=Trail \"Tent\", 2 person");
    CHECK(product.at("description").as_string() == "Light, with a\nporch.");
    CHECK(price(product, "TENT-G", "EUR") == 18999);

    SUBCASE("only admins export and import") {
        auto customer = shop.customer("csv-reader@example.com");
        CHECK(customer.get("/api/v1/admin/products/export").status == 403);
        CHECK(import(customer, exported.body).status == 403);
        CHECK(shop.client().get("/api/v1/admin/products/export").status == 401);
    }
}

TEST_CASE("a product CSV import creates, updates and leaves products, sets stock, and reports each bad row with its column") {
    TestShop shop;
    auto admin = shop.admin();
    REQUIRE(admin.post("/api/v1/brands", json::object{{"name", "Oak Works"}}).status == 201);
    REQUIRE(admin.post("/api/v1/admin/warehouses", json::object{{"code", "east"}, {"name", "East"}}).status == 201);
    auto existing = admin.post("/api/v1/products",
                               json::object{{"title", "Oak Mug"},
                                            {"status", "published"},
                                            {"variants", json::array{json::object{{"sku", "MUG-1"},
                                                                                  {"prices", json::array{json::object{{"amount", 900}, {"currency", "USD"}},
                                                                                                         json::object{{"amount", 800}, {"currency", "EUR"}}}}}}}});
    REQUIRE(existing.status == 201);

    std::string csv =
        "handle,title,status,brand,sku,options,price.USD,price.EUR,stock.main,stock.east\r\n"
        // rows 2-3: a new product with two variants, stock in two warehouses
        "oak-kettle,Oak Kettle,published,oak-works,KET-1,colour=black,4999,,12,3\r\n"
        "oak-kettle,,,,KET-2,colour=steel,5499,,,\r\n"
        // row 4: the existing mug: a new USD price, its EUR price removed, a variant added (row 5)
        "oak-mug,,,,MUG-1,,950,,4,\r\n"
        "oak-mug,,,,MUG-2,size=large,1150,,,\r\n"
        // rows 6-7: a product whose second row has a price that is not minor units: none of it goes in
        "oak-plate,Oak Plate,draft,,PLATE-1,,1200,,,\r\n"
        "oak-plate,,,,PLATE-2,,12.50,,,\r\n"
        // row 8: an unknown brand; row 9: a SKU of another product; row 10: too few fields
        "oak-bowl,Oak Bowl,published,no-such-brand,BOWL-1,,700,,,\r\n"
        "oak-cup,Oak Cup,published,,MUG-1,,700,,,\r\n"
        "oak-lid,Oak Lid\r\n";
    auto r = import(admin, csv);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    auto report = r.json();
    CHECK(report.at("rows").as_int64() == 9);
    CHECK(report.at("products_created").as_int64() == 1);
    CHECK(report.at("products_updated").as_int64() == 1);
    CHECK(outcome(r, 2) == "created");
    CHECK(outcome(r, 3) == "created");
    CHECK(outcome(r, 4) == "updated");
    CHECK(outcome(r, 5) == "created");
    CHECK(outcome(r, 6) == "failed");
    CHECK(outcome(r, 7) == "failed");
    CHECK(error_column(r, 7) == "price.USD");
    CHECK(row(r, 6).at("errors").at(0).at("message").as_string().find("row 7") != std::string::npos);
    CHECK(error_column(r, 8) == "brand");
    CHECK(error_column(r, 9) == "sku");
    CHECK(outcome(r, 10) == "failed");
    CHECK(report.at("failed").as_int64() == 5);

    auto kettle = admin.get("/api/v1/products/oak-kettle");
    REQUIRE_MESSAGE(kettle.status == 200, kettle.body);
    auto kettle_body = kettle.json();
    CHECK(kettle_body.at("brand").at("slug").as_string() == "oak-works");
    CHECK(kettle_body.at("variants").as_array().size() == 2);
    CHECK(price(kettle_body, "KET-2", "USD") == 5499);
    CHECK(on_hand(admin, "KET-1", "main") == 12);
    CHECK(on_hand(admin, "KET-1", "east") == 3);

    auto mug = admin.get("/api/v1/products/" + existing.str("id")).json();
    CHECK(mug.at("title").as_string() == "Oak Mug");  // a blank product cell keeps the value
    CHECK(price(mug, "MUG-1", "USD") == 950);
    CHECK(mug.at("variants").as_array().size() == 2);
    CHECK(on_hand(admin, "MUG-1", "main") == 4);
    auto eur = admin.get("/api/v1/products/" + existing.str("id") + "?currency=EUR").json();
    // The explicit EUR price is gone: without an FX rate the variant has no EUR price.
    for (auto& v : eur.at("variants").as_array())
        if (v.at("sku").as_string() == "MUG-1") CHECK(v.at("price").is_null());

    CHECK(admin.get("/api/v1/products/oak-plate").status == 404);
    CHECK(admin.get("/api/v1/products/oak-bowl").status == 404);

    SUBCASE("the same Idempotency-Key replays the report without applying the file again") {
        auto headers = kCsv;
        headers["Idempotency-Key"] = "csv-import-1";
        auto first = import(admin, "handle,sku,stock.main\r\noak-kettle,KET-2,5\r\n", headers);
        REQUIRE_MESSAGE(first.status == 200, first.body);
        CHECK(outcome(first, 2) == "updated");
        auto replay = import(admin, "handle,sku,stock.main\r\noak-kettle,KET-2,5\r\n", headers);
        CHECK(replay.status == 200);
        CHECK(replay.header("idempotent-replayed") == "true");
        CHECK(replay.body == first.body);
        CHECK(on_hand(admin, "KET-2", "main") == 5);
    }
}

TEST_CASE("a malformed product CSV or header is refused naming the problem, and nothing is written") {
    TestShop shop;
    auto admin = shop.admin();
    auto field = [](const HttpResult& r) { return std::string(r.json().at("errors").at(0).at("field").as_string()); };

    auto unknown = import(admin, "handle,sku,colour,price.USD\r\nx,X-1,red,100\r\n");
    CHECK(unknown.status == 422);
    CHECK(field(unknown) == "header[2]");
    auto no_sku = import(admin, "handle,title,price.USD\r\nx,X,100\r\n");
    CHECK(no_sku.status == 422);
    CHECK(field(no_sku) == "header");
    auto currency = import(admin, "handle,sku,price.XYZ\r\nx,X-1,100\r\n");
    CHECK(currency.status == 422);
    CHECK(field(currency) == "header[2]");
    auto warehouse = import(admin, "handle,sku,price.USD,stock.nowhere\r\nx,X-1,100,1\r\n");
    CHECK(warehouse.status == 422);
    CHECK(field(warehouse) == "header[3]");
    auto quote = import(admin, "handle,title,sku,price.USD\r\nx,\"Unclosed,X-1,100\r\n");
    CHECK(quote.status == 422);
    CHECK(field(quote) == "body");
    // A file saved as Latin-1 (found by fuzz_cursor: such a title could not be carried in a page
    // cursor, nor written as JSON): refused per cell, naming the column.
    auto latin1 = import(admin, "handle,title,sku,price.USD\r\ncafe,Caf\xe9 au lait,CAFE-1,450\r\n");
    REQUIRE_MESSAGE(latin1.status == 200, latin1.body);
    CHECK(outcome(latin1, 2) == "failed");
    CHECK(error_column(latin1, 2) == "title");
    CHECK(admin.get("/api/v1/products/cafe").status == 404);
    CHECK(import(admin, "").status == 422);
    CHECK(import(admin, "handle,sku\r\n", {{"Content-Type", "application/json"}}).status == 415);
    CHECK(admin.get("/api/v1/products/x").status == 404);
}
