// A product's full depth as a vendor, an admin and a shopper see it over HTTP: typed attributes
// and their list filters, images (listed and uploaded, served with caching headers), SEO fields
// and slugs, variant routes, DELETE (archive when ordered, else remove) and vendor ownership.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

std::string first_field(const HttpResult& r) {
    REQUIRE_MESSAGE(r.json().as_object().contains("errors"), r.body);
    return std::string(r.json().at("errors").at(0).at("field").as_string());
}

json::object product_body(const std::string& title, const std::string& sku, std::int64_t usd = 1000) {
    return json::object{
        {"title", title},
        {"status", "published"},
        {"variants", json::array{json::object{{"sku", sku}, {"prices", json::array{json::object{{"amount", usd}, {"currency", "USD"}}}}}}}};
}

std::string create(HttpClient& c, json::object body) {
    auto r = c.post("/api/v1/products", body);
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.str("id");
}

std::vector<std::string> titles(HttpClient& c, const std::string& query) {
    auto r = c.get("/api/v1/products?limit=100&sort=title&" + query);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    std::vector<std::string> out;
    auto body = r.json();
    for (auto& p : body.at("data").as_array()) out.emplace_back(p.at("title").as_string());
    return out;
}

// A whole 1x1 PNG (signature, IHDR, IDAT, IEND).
const unsigned char kPngBytes[] = {137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 31, 21, 196, 137, 0, 0, 0, 11, 73, 68, 65, 84, 120, 156, 99, 96, 0, 2, 0, 0, 5, 0, 1, 122, 94, 171, 63, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130};
const std::string kPng(reinterpret_cast<const char*>(kPngBytes), sizeof kPngBytes);

}  // namespace

TEST_CASE("typed attributes: defined by an admin, set on products, shown in replies and filtered by attr parameters") {
    TestShop shop;
    auto admin = shop.admin();
    auto color = admin.post("/api/v1/attributes", json::object{{"code", "color"}, {"name", "Colour"}, {"type", "option"},
                                                                {"options", json::array{"red", "blue", "green"}}});
    REQUIRE_MESSAGE(color.status == 201, color.body);
    REQUIRE(admin.post("/api/v1/attributes", json::object{{"code", "weight_kg"}, {"name", "Weight"}, {"type", "number"}}).status == 201);
    REQUIRE(admin.post("/api/v1/attributes", json::object{{"code", "waterproof"}, {"name", "Waterproof"}, {"type", "boolean"}}).status == 201);
    auto material = admin.post("/api/v1/attributes", json::object{{"code", "material"}, {"name", "Material"}, {"type", "text"}});
    REQUIRE(material.status == 201);
    CHECK(admin.post("/api/v1/attributes", json::object{{"code", "color"}, {"name", "Again"}, {"type", "text"}}).status == 409);
    auto bad_code = admin.post("/api/v1/attributes", json::object{{"code", "Color!"}, {"name", "X"}, {"type", "text"}});
    CHECK(bad_code.status == 422);
    CHECK(first_field(bad_code) == "code");
    auto no_options = admin.post("/api/v1/attributes", json::object{{"code", "size"}, {"name", "Size"}, {"type", "option"}});
    CHECK(no_options.status == 422);
    CHECK(first_field(no_options) == "options");
    CHECK(shop.customer("c@example.com").post("/api/v1/attributes", json::object{{"code", "x"}, {"name", "X"}, {"type", "text"}}).status == 403);

    auto tent = product_body("Tent", "TENT-1");
    tent["attributes"] = json::object{{"color", "green"}, {"weight_kg", 2.5}, {"waterproof", true}, {"material", "nylon"}};
    create(admin, tent);
    auto jacket = product_body("Jacket", "JACKET-1");
    jacket["attributes"] = json::object{{"color", "red"}, {"weight_kg", 1}, {"waterproof", true}};
    create(admin, jacket);
    auto shirt = product_body("Shirt", "SHIRT-1");
    shirt["attributes"] = json::object{{"color", "blue"}, {"weight_kg", 0.2}, {"waterproof", false}};
    auto shirt_id = create(admin, shirt);
    create(admin, product_body("Plain", "PLAIN-1"));

    auto c = shop.client();
    auto got = c.get("/api/v1/products/" + shirt_id);
    REQUIRE(got.status == 200);
    auto attrs = got.json().at("attributes").as_array();
    REQUIRE(attrs.size() == 3);
    CHECK(attrs[0].at("code").as_string() == "color");
    CHECK(attrs[0].at("name").as_string() == "Colour");
    CHECK(attrs[0].at("type").as_string() == "option");
    CHECK(attrs[0].at("value").as_string() == "blue");
    CHECK(attrs[1].at("value").as_bool() == false);
    CHECK(attrs[2].at("value").as_double() == doctest::Approx(0.2));

    CHECK(titles(c, "attr.color=red") == std::vector<std::string>{"Jacket"});
    CHECK(titles(c, "attr.color=red,green") == std::vector<std::string>{"Jacket", "Tent"});
    CHECK(titles(c, "attr.waterproof=true") == std::vector<std::string>{"Jacket", "Tent"});
    CHECK(titles(c, "attr.waterproof=false") == std::vector<std::string>{"Shirt"});
    CHECK(titles(c, "attr.weight_kg.min=1") == std::vector<std::string>{"Jacket", "Tent"});
    CHECK(titles(c, "attr.weight_kg.min=0.5&attr.weight_kg.max=2") == std::vector<std::string>{"Jacket"});
    CHECK(titles(c, "attr.weight_kg=2.5") == std::vector<std::string>{"Tent"});
    CHECK(titles(c, "attr.material=nylon&attr.color=green&max_price=1000") == std::vector<std::string>{"Tent"});
    CHECK(titles(c, "attr.material=cotton").empty());

    for (auto [query, field] : std::vector<std::pair<std::string, std::string>>{{"attr.colour=red", "attr.colour"},
                                                                                {"attr.color=purple", "attr.color"},
                                                                                {"attr.weight_kg.min=heavy", "attr.weight_kg.min"},
                                                                                {"attr.color.min=1", "attr.color.min"},
                                                                                {"attr.weight_kg.avg=1", "attr.weight_kg.avg"},
                                                                                {"attr.waterproof=yes", "attr.waterproof"}}) {
        const std::string& query_text = query;  // named: clang 14 cannot capture a structured binding
        CAPTURE(query_text);
        auto r = c.get("/api/v1/products?" + query);
        CHECK(r.status == 422);
        CHECK(first_field(r) == field);
    }

    // Values are checked against the attribute's type.
    auto wrong = product_body("Wrong", "WRONG-1");
    wrong["attributes"] = json::object{{"color", "purple"}, {"weight_kg", "heavy"}, {"nope", 1}};
    auto refused = admin.post("/api/v1/products", wrong);
    REQUIRE(refused.status == 422);
    std::vector<std::string> fields;
    auto errors = refused.json().at("errors");
    for (auto& e : errors.as_array()) fields.emplace_back(e.at("field").as_string());
    CHECK(fields == std::vector<std::string>{"attributes.color", "attributes.nope", "attributes.weight_kg"});

    // PATCH replaces the values; an option in use cannot go, an attribute in use cannot be deleted.
    auto patched = admin.patch("/api/v1/products/" + shirt_id, json::object{{"attributes", json::object{{"color", "green"}}}});
    REQUIRE_MESSAGE(patched.status == 200, patched.body);
    CHECK(patched.json().at("attributes").as_array().size() == 1);
    CHECK(titles(c, "attr.color=green") == std::vector<std::string>{"Shirt", "Tent"});
    auto color_id = color.str("id");
    CHECK(admin.patch("/api/v1/attributes/" + color_id, json::object{{"options", json::array{"red", "blue"}}}).status == 409);
    auto renamed = admin.patch("/api/v1/attributes/" + color_id, json::object{{"name", "Color"}, {"options", json::array{"red", "green", "teal"}}});
    REQUIRE_MESSAGE(renamed.status == 200, renamed.body);
    CHECK(c.get("/api/v1/products/" + shirt_id).json().at("attributes").at(0).at("name").as_string() == "Color");
    CHECK(admin.request("DELETE", "/api/v1/attributes/" + color_id).status == 409);
    CHECK(admin.request("DELETE", "/api/v1/attributes/" + material.str("id")).status == 409);
    auto spare = admin.post("/api/v1/attributes", json::object{{"code", "spare"}, {"name", "Spare"}, {"type", "text"}});
    CHECK(admin.request("DELETE", "/api/v1/attributes/" + spare.str("id")).status == 204);
    auto list = c.get("/api/v1/attributes");
    REQUIRE(list.status == 200);
    CHECK(list.json().at("data").as_array().size() == 4);
}

TEST_CASE("images: listed with the product, uploaded under the data dir and served with immutable caching - wrong types and sizes refused") {
    TestShop shop(std::map<std::string, std::string>{{"catalog.max_image_bytes", "1000"}});
    auto admin = shop.admin();
    auto body = product_body("Lamp", "LAMP-1");
    body["images"] = json::array{json::object{{"url", "https://cdn.example.com/lamp-side.jpg"}, {"alt", "side"}, {"position", 2}},
                                 json::object{{"url", "https://cdn.example.com/lamp-front.jpg"}, {"alt", "front"}, {"position", 1}}};
    auto id = create(admin, body);
    auto c = shop.client();
    auto got = c.get("/api/v1/products/" + id);
    auto images = got.json().at("images").as_array();
    REQUIRE(images.size() == 2);
    CHECK(images[0].at("alt").as_string() == "front");
    CHECK(images[1].at("url").as_string() == "https://cdn.example.com/lamp-side.jpg");
    auto bad_url = product_body("Bad", "BAD-1");
    bad_url["images"] = json::array{json::object{{"url", "javascript:alert(1)"}}};
    auto refused = admin.post("/api/v1/products", bad_url);
    CHECK(refused.status == 422);
    CHECK(first_field(refused) == "images[0].url");

    auto up = admin.request("POST", "/api/v1/admin/products/" + id + "/images?alt=Lamp%20on", kPng, {{"Content-Type", "image/png"}});
    REQUIRE_MESSAGE(up.status == 201, up.body);
    auto url = up.str("url");
    CHECK(url.rfind("/media/", 0) == 0);
    CHECK(url.size() == std::string("/media/").size() + 64 + 4);
    CHECK(up.json().at("position").as_int64() == 3);
    CHECK(up.str("alt") == "Lamp on");
    CHECK(std::filesystem::exists(shop.dir() / "media" / url.substr(7)));
    auto after = c.get("/api/v1/products/" + id).json().at("images").as_array();
    REQUIRE(after.size() == 3);
    CHECK(after[2].at("url").as_string() == url);

    auto file = c.get(url);
    REQUIRE(file.status == 200);
    CHECK(file.body == kPng);
    CHECK(file.header("content-type") == "image/png");
    CHECK(file.header("cache-control") == "public, max-age=31536000, immutable");
    auto etag = file.header("etag");
    CHECK(!etag.empty());
    CHECK(c.get(url, {{"If-None-Match", etag}}).status == 304);
    CHECK(c.get("/media/" + std::string(64, '0') + ".png").status == 404);
    CHECK(c.get("/media/..%2Fcatalog.db").status == 404);

    // A type the bytes do not confirm, an unknown type, an empty body and a too large one.
    CHECK(admin.request("POST", "/api/v1/admin/products/" + id + "/images", kPng, {{"Content-Type", "image/jpeg"}}).status == 415);
    CHECK(admin.request("POST", "/api/v1/admin/products/" + id + "/images", "hello", {{"Content-Type", "text/plain"}}).status == 415);
    CHECK(admin.request("POST", "/api/v1/admin/products/" + id + "/images", kPng + std::string(2000, 'x'), {{"Content-Type", "image/png"}}).status ==
          413);
    // Only the owner or an admin uploads.
    auto vendor = shop.vendor("v@example.com");
    CHECK(vendor.request("POST", "/api/v1/admin/products/" + id + "/images", kPng, {{"Content-Type", "image/png"}}).status == 403);
    CHECK(shop.customer("c@example.com").request("POST", "/api/v1/admin/products/" + id + "/images", kPng, {{"Content-Type", "image/png"}}).status ==
          403);
}

TEST_CASE("SEO fields and slugs: meta title defaults to the title, an old slug still finds the product, slugs stay unique") {
    TestShop shop;
    auto admin = shop.admin();
    auto body = product_body("Red Kettle", "KETTLE-1");
    body["meta_description"] = "A red kettle that whistles.";
    auto id = create(admin, body);
    auto c = shop.client();
    auto got = c.get("/api/v1/products/red-kettle");
    REQUIRE(got.status == 200);
    CHECK(got.json().at("seo").at("meta_title").as_string() == "Red Kettle");
    CHECK(got.json().at("seo").at("meta_description").as_string() == "A red kettle that whistles.");
    CHECK(got.json().at("seo").at("canonical_path").as_string() == "/products/red-kettle");

    auto renamed = admin.patch("/api/v1/products/" + id, json::object{{"slug", "kettle-red"}, {"meta_title", "Whistling kettle"}});
    REQUIRE_MESSAGE(renamed.status == 200, renamed.body);
    auto old = c.get("/api/v1/products/red-kettle");
    REQUIRE(old.status == 200);
    CHECK(old.str("id") == id);
    CHECK(old.json().at("seo").at("canonical_path").as_string() == "/products/kettle-red");
    CHECK(old.json().at("seo").at("meta_title").as_string() == "Whistling kettle");
    // Another product may take neither the current nor the old slug.
    auto taken = product_body("Red Kettle", "KETTLE-2");
    CHECK(admin.post("/api/v1/products", taken).status == 409);
    taken["slug"] = "kettle-red";
    CHECK(admin.post("/api/v1/products", taken).status == 409);
    auto other = create(admin, product_body("Blue Kettle", "KETTLE-3"));
    auto clash = admin.patch("/api/v1/products/" + other, json::object{{"slug", "red-kettle"}});
    CHECK(clash.status == 409);
    CHECK(first_field(clash) == "slug");
    // The product itself may go back to its old slug.
    CHECK(admin.patch("/api/v1/products/" + id, json::object{{"slug", "red-kettle"}}).status == 200);
    CHECK(c.get("/api/v1/products/kettle-red").str("id") == id);
}

TEST_CASE("variant routes add, change and remove variants with their prices - the last one stays") {
    TestShop shop;
    auto admin = shop.admin();
    auto id = create(admin, product_body("Mug", "MUG-S", 800));
    auto added = admin.post("/api/v1/products/" + id + "/variants",
                            json::object{{"sku", "MUG-L"}, {"title", "Large"}, {"options", json::object{{"size", "L"}}},
                                         {"prices", json::array{json::object{{"amount", 1200}, {"currency", "USD"}}, json::object{{"amount", 1100}, {"currency", "EUR"}}}}},
                            {{"Idempotency-Key", "add-mug-l"}});
    REQUIRE_MESSAGE(added.status == 201, added.body);
    auto variants = added.json().at("variants").as_array();
    REQUIRE(variants.size() == 2);
    CHECK(variants[1].at("sku").as_string() == "MUG-L");
    CHECK(variants[1].at("price").at("amount").as_int64() == 1200);
    auto large = std::string(variants[1].at("id").as_string());
    auto small = std::string(variants[0].at("id").as_string());
    // The same request again is the same answer, not a second variant.
    auto again = admin.post("/api/v1/products/" + id + "/variants",
                            json::object{{"sku", "MUG-L"}, {"title", "Large"}, {"options", json::object{{"size", "L"}}},
                                         {"prices", json::array{json::object{{"amount", 1200}, {"currency", "USD"}}, json::object{{"amount", 1100}, {"currency", "EUR"}}}}},
                            {{"Idempotency-Key", "add-mug-l"}});
    CHECK(again.status == 201);
    CHECK(again.json().at("variants").as_array().size() == 2);
    auto dup = admin.post("/api/v1/products/" + id + "/variants",
                          json::object{{"sku", "MUG-S"}, {"prices", json::array{json::object{{"amount", 1}, {"currency", "USD"}}}}});
    CHECK(dup.status == 409);
    CHECK(first_field(dup) == "sku");
    auto bad = admin.post("/api/v1/products/" + id + "/variants", json::object{{"sku", "MUG XL"}, {"prices", json::array{json::object{{"amount", 1}, {"currency", "USD"}}}}});
    CHECK(bad.status == 422);
    CHECK(first_field(bad) == "sku");

    // The list's price order sees the new variant's prices: a cheaper small mug makes the product cheaper.
    auto changed = admin.patch("/api/v1/products/" + id + "/variants/" + small,
                               json::object{{"prices", json::array{json::object{{"amount", 500}, {"currency", "USD"}}}}, {"title", "Small"}});
    REQUIRE_MESSAGE(changed.status == 200, changed.body);
    CHECK(changed.json().at("variants").at(0).at("price").at("amount").as_int64() == 500);
    CHECK(changed.json().at("variants").at(0).at("title").as_string() == "Small");
    auto c = shop.client();
    CHECK(c.get("/api/v1/products?max_price=500").json().at("data").as_array().size() == 1);
    CHECK(c.get("/api/v1/products?currency=EUR&max_price=1100").json().at("data").as_array().size() == 1);
    CHECK(admin.patch("/api/v1/products/" + id + "/variants/var_01J0000000000000000000000", json::object{{"title", "x"}}).status == 404);

    auto removed = admin.request("DELETE", "/api/v1/products/" + id + "/variants/" + large);
    REQUIRE_MESSAGE(removed.status == 200, removed.body);
    CHECK(removed.json().at("variants").as_array().size() == 1);
    CHECK(c.get("/api/v1/products?currency=EUR&max_price=1100").json().at("data").as_array().empty());
    auto last = admin.request("DELETE", "/api/v1/products/" + id + "/variants/" + small);
    CHECK(last.status == 409);
    CHECK(last.json().at("code").as_string() == "invalid_state");
}

TEST_CASE("vendors own what they create: another vendor gets 403 on a published product and 404 on a draft, an admin may change any") {
    TestShop shop;
    auto ann = shop.vendor("ann@vendors.test");
    auto bob = shop.vendor("bob@vendors.test");
    auto published = create(ann, product_body("Ann's Vase", "VASE-1"));
    auto draft_body = product_body("Ann's Draft", "DRAFT-1");
    draft_body["status"] = "draft";
    auto draft = create(ann, draft_body);

    CHECK(bob.patch("/api/v1/products/" + published, json::object{{"title", "Mine now"}}).status == 403);
    CHECK(bob.patch("/api/v1/products/" + draft, json::object{{"title", "Mine now"}}).status == 404);
    CHECK(bob.request("DELETE", "/api/v1/products/" + published).status == 403);
    CHECK(bob.post("/api/v1/products/" + published + "/variants", json::object{{"sku", "VASE-2"}, {"prices", json::array{json::object{{"amount", 1}, {"currency", "USD"}}}}}).status == 403);
    auto customer = shop.customer("cat@example.com");
    CHECK(customer.patch("/api/v1/products/" + published, json::object{{"title", "x"}}).status == 403);
    CHECK(ann.patch("/api/v1/products/" + published, json::object{{"title", "Ann's Blue Vase"}}).status == 200);
    CHECK(shop.admin().patch("/api/v1/products/" + draft, json::object{{"status", "published"}}).status == 200);
    CHECK(shop.client().get("/api/v1/products/" + published).str("title") == "Ann's Blue Vase");
}

TEST_CASE("DELETE removes a product never ordered and archives one an order names") {
    TestShop shop;
    auto admin = shop.admin();
    auto never = create(admin, product_body("Never Sold", "NEVER-1"));
    auto sold = shop.product("SOLD-1", 1500, 5);
    auto c = shop.customer("buyer@example.com");
    auto cart = c.post("/api/v1/carts", json::object{});
    REQUIRE(cart.status == 201);
    REQUIRE(c.post("/api/v1/carts/" + cart.str("id") + "/items", json::object{{"sku", "SOLD-1"}, {"quantity", 1}}).status == 201);
    auto order = c.post("/api/v1/checkout",
                        json::object{{"cart_id", cart.str("id")},
                                     {"shipping_address", json::object{{"name", "B"}, {"line1", "1 St"}, {"city", "X"}, {"postal_code", "1"}, {"country", "US"}}},
                                     {"shipping_method", "standard"}});
    REQUIRE_MESSAGE(order.status == 201, order.body);
    shop.settle();

    auto removed = admin.request("DELETE", "/api/v1/products/" + never);
    REQUIRE_MESSAGE(removed.status == 200, removed.body);
    CHECK(removed.str("outcome") == "removed");
    CHECK(admin.get("/api/v1/products/" + never).status == 404);
    CHECK(admin.request("DELETE", "/api/v1/products/" + never).status == 404);
    // Its slug and SKU are free again.
    create(admin, product_body("Never Sold", "NEVER-1"));

    auto archived = admin.request("DELETE", "/api/v1/products/" + sold);
    REQUIRE_MESSAGE(archived.status == 200, archived.body);
    CHECK(archived.str("outcome") == "archived");
    auto kept = admin.get("/api/v1/products/" + sold);
    REQUIRE(kept.status == 200);
    CHECK(kept.str("status") == "archived");
    CHECK(shop.client().get("/api/v1/products/" + sold).status == 404);
    // The order still shows its line.
    auto mine = c.get("/api/v1/orders/" + order.str("id"));
    REQUIRE(mine.status == 200);
    CHECK(mine.json().at("lines").at(0).at("sku").as_string() == "SOLD-1");
}
