// Categories (a tree that can be rearranged), brands and collections, and products filed under
// them, as a shopper and an admin see them over HTTP.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "catalog/api.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

std::string first_field(const HttpResult& r) {
    REQUIRE_MESSAGE(r.json().as_object().contains("errors"), r.body);
    return std::string(r.json().at("errors").at(0).at("field").as_string());
}

std::string category(HttpClient& admin, const std::string& name, const std::string& parent_id = "", std::int64_t position = -1) {
    json::object body{{"name", name}};
    if (!parent_id.empty()) body["parent_id"] = parent_id;
    if (position >= 0) body["position"] = position;
    auto r = admin.post("/api/v1/categories", body);
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.str("id");
}

std::string brand(HttpClient& admin, const std::string& name) {
    auto r = admin.post("/api/v1/brands", json::object{{"name", name}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.str("id");
}

json::object product_body(const std::string& title, const std::string& sku) {
    return json::object{{"title", title},
                        {"status", "published"},
                        {"variants", json::array{json::object{{"sku", sku}, {"prices", json::array{json::object{{"amount", 1000}, {"currency", "USD"}}}}}}}};
}

std::string product(HttpClient& admin, const std::string& title, const std::string& sku, const std::string& brand_id,
                    const std::vector<std::string>& category_ids) {
    auto body = product_body(title, sku);
    if (!brand_id.empty()) body["brand_id"] = brand_id;
    json::array cats;
    for (auto& c : category_ids) cats.push_back(json::value(c));
    if (!category_ids.empty()) body["category_ids"] = cats;
    auto r = admin.post("/api/v1/products", body);
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.str("id");
}

/// The slugs of a product list page, in order.
std::vector<std::string> slugs(const HttpResult& r) {
    REQUIRE_MESSAGE(r.status == 200, r.body);
    std::vector<std::string> out;
    auto body = r.json();
    for (auto& p : body.at("data").as_array()) out.emplace_back(p.at("slug").as_string());
    return out;
}

/// path of every node of a tree reply, depth first.
void paths(const json::value& nodes, std::vector<std::string>& out) {
    for (auto& n : nodes.as_array()) {
        out.emplace_back(n.at("path").as_string());
        paths(n.at("children"), out);
    }
}

}  // namespace

TEST_CASE("categories form a tree: children in position order, paths from the root, a breadcrumb by id or slug") {
    TestShop shop;
    auto admin = shop.admin();
    auto clothing = category(admin, "Clothing");
    auto shirts = category(admin, "Shirts", clothing);
    auto trousers = category(admin, "Trousers", clothing, 0);  // before shirts
    auto oxford = category(admin, "Oxford Shirts", shirts);
    auto home = category(admin, "Home");

    auto c = shop.client();  // anyone
    auto tree = c.get("/api/v1/categories");
    REQUIRE(tree.status == 200);
    std::vector<std::string> all;
    paths(tree.json().at("data"), all);
    CHECK(all == std::vector<std::string>{"clothing", "clothing/trousers", "clothing/shirts", "clothing/shirts/oxford-shirts", "home"});
    auto root = tree.json().at("data").at(0);
    CHECK(root.at("id").as_string() == clothing);
    CHECK(root.at("parent_id").is_null());
    CHECK(root.at("children").at(1).at("parent_id").as_string() == clothing);
    CHECK(tree.json().at("data").at(1).at("id").as_string() == home);

    auto node = c.get("/api/v1/categories/oxford-shirts");
    REQUIRE(node.status == 200);
    CHECK(node.str("id") == oxford);
    CHECK(node.str("path") == "clothing/shirts/oxford-shirts");
    auto crumbs = node.json().at("ancestors").as_array();
    REQUIRE(crumbs.size() == 2);
    CHECK(crumbs[0].at("id").as_string() == clothing);
    CHECK(crumbs[1].at("path").as_string() == "clothing/shirts");
    auto by_id = c.get("/api/v1/categories/" + clothing);
    REQUIRE(by_id.status == 200);
    CHECK(by_id.json().at("children").as_array().size() == 2);
    CHECK(by_id.json().at("children").at(0).at("id").as_string() == trousers);
    CHECK(by_id.json().at("ancestors").as_array().empty());
    CHECK(c.get("/api/v1/categories/no-such-thing").status == 404);

    // Writes are the admin's.
    CHECK(c.post("/api/v1/categories", json::object{{"name", "Garden"}}).status == 401);
    auto shopper = shop.customer("ann@example.com");
    CHECK(shopper.post("/api/v1/categories", json::object{{"name", "Garden"}}).status == 403);
    CHECK(shopper.patch("/api/v1/categories/" + home, json::object{{"name", "Mine"}}).status == 403);
}

TEST_CASE("moving a category carries its subtree and every path below it - a move under its own descendant is refused") {
    TestShop shop;
    auto admin = shop.admin();
    auto clothing = category(admin, "Clothing");
    auto shirts = category(admin, "Shirts", clothing);
    auto oxford = category(admin, "Oxford", shirts);
    auto sale = category(admin, "Sale");

    auto moved = admin.patch("/api/v1/categories/" + shirts, json::object{{"parent_id", sale}});
    REQUIRE_MESSAGE(moved.status == 200, moved.body);
    CHECK(moved.str("path") == "sale/shirts");
    CHECK(moved.json().at("children").at(0).at("path").as_string() == "sale/shirts/oxford");
    auto c = shop.client();
    CHECK(c.get("/api/v1/categories/" + oxford).str("path") == "sale/shirts/oxford");
    std::vector<std::string> all;
    paths(c.get("/api/v1/categories").json().at("data"), all);
    CHECK(all == std::vector<std::string>{"clothing", "sale", "sale/shirts", "sale/shirts/oxford"});

    // A product in the moved subtree shows the new path at once (its cached reply is dropped).
    auto id = product(admin, "Oxford Shirt", "OX-1", "", {oxford});
    CHECK(c.get("/api/v1/products/" + id).json().at("categories").at(0).at("path").as_string() == "sale/shirts/oxford");
    REQUIRE(admin.patch("/api/v1/categories/" + sale, json::object{{"slug", "outlet"}}).status == 200);
    CHECK(c.get("/api/v1/products/" + id).json().at("categories").at(0).at("path").as_string() == "outlet/shirts/oxford");

    // Under itself or its own descendant: a cycle, refused naming parent_id, nothing changes.
    auto cycle = admin.patch("/api/v1/categories/" + sale, json::object{{"parent_id", oxford}});
    CHECK(cycle.status == 422);
    CHECK(first_field(cycle) == "parent_id");
    auto self = admin.patch("/api/v1/categories/" + sale, json::object{{"parent_id", sale}});
    CHECK(self.status == 422);
    CHECK(first_field(self) == "parent_id");
    CHECK(c.get("/api/v1/categories/" + oxford).str("path") == "outlet/shirts/oxford");

    // Back to the top with null; reposition among roots.
    auto top = admin.patch("/api/v1/categories/" + shirts, json::object{{"parent_id", nullptr}, {"position", 0}});
    REQUIRE(top.status == 200);
    CHECK(top.json().at("parent_id").is_null());
    all.clear();
    paths(c.get("/api/v1/categories").json().at("data"), all);
    CHECK(all == std::vector<std::string>{"shirts", "shirts/oxford", "clothing", "outlet"});
    CHECK(admin.patch("/api/v1/categories/cat_01JZZZZZZZZZZZZZZZZZZZZZZZ", json::object{{"name", "x"}}).status == 404);
}

TEST_CASE("category and brand writes name the field: taken slugs 409, bad slugs and unknown parents 422, deletes guarded") {
    TestShop shop;
    auto admin = shop.admin();
    auto clothing = category(admin, "Clothing");
    auto shirts = category(admin, "Shirts", clothing);

    auto taken = admin.post("/api/v1/categories", json::object{{"name", "Clothes"}, {"slug", "clothing"}});
    CHECK(taken.status == 409);
    CHECK(first_field(taken) == "slug");
    auto bad_slug = admin.post("/api/v1/categories", json::object{{"name", "Hats"}, {"slug", "Not A Slug"}});
    CHECK(bad_slug.status == 422);
    CHECK(first_field(bad_slug) == "slug");
    auto orphan = admin.post("/api/v1/categories", json::object{{"name", "Hats"}, {"parent_id", "cat_01JDQ6V3M2Z8K4T7W9XB5C0N1R"}});
    CHECK(orphan.status == 422);
    CHECK(first_field(orphan) == "parent_id");
    auto not_an_id = admin.post("/api/v1/categories", json::object{{"name", "Hats"}, {"parent_id", "clothing"}});
    CHECK(not_an_id.status == 422);
    CHECK(first_field(not_an_id) == "parent_id");
    CHECK(first_field(admin.post("/api/v1/categories", json::object{{"name", "!!!"}})) == "name");
    CHECK(first_field(admin.patch("/api/v1/categories/" + shirts, json::object{{"slug", "clothing"}})) == "slug");

    // Idempotent create: the same key answers the same category, once.
    auto first = admin.post("/api/v1/categories", json::object{{"name", "Hats"}}, {{"Idempotency-Key", "hats-1"}});
    auto again = admin.post("/api/v1/categories", json::object{{"name", "Hats"}}, {{"Idempotency-Key", "hats-1"}});
    REQUIRE(first.status == 201);
    CHECK(again.status == 201);
    CHECK(again.str("id") == first.str("id"));

    // Not while it has children, not while products are in it.
    auto busy = admin.request("DELETE", "/api/v1/categories/" + clothing);
    CHECK(busy.status == 409);
    product(admin, "Plain Shirt", "PS-1", "", {shirts});
    CHECK(admin.request("DELETE", "/api/v1/categories/" + shirts).status == 409);
    CHECK(admin.request("DELETE", "/api/v1/categories/" + first.str("id")).status == 204);
    CHECK(shop.client().get("/api/v1/categories/hats").status == 404);

    // Brands: unique slugs, rename shows in products, delete guarded.
    auto acme = brand(admin, "Acme");
    auto dup = admin.post("/api/v1/brands", json::object{{"name", "ACME"}});
    CHECK(dup.status == 409);
    CHECK(first_field(dup) == "slug");
    auto widget = product(admin, "Widget", "W-1", acme, {});
    auto renamed = admin.patch("/api/v1/brands/" + acme, json::object{{"name", "Acme Corp"}, {"slug", "acme-corp"}});
    REQUIRE(renamed.status == 200);
    auto shown = shop.client().get("/api/v1/products/" + widget).json().at("brand");
    CHECK(shown.at("name").as_string() == "Acme Corp");
    CHECK(shown.at("slug").as_string() == "acme-corp");
    CHECK(admin.request("DELETE", "/api/v1/brands/" + acme).status == 409);
    auto other = brand(admin, "Other");
    CHECK(first_field(admin.patch("/api/v1/brands/" + other, json::object{{"slug", "acme-corp"}})) == "slug");
    CHECK(admin.request("DELETE", "/api/v1/brands/" + other).status == 204);
    auto brands = shop.client().get("/api/v1/brands");
    REQUIRE(brands.status == 200);
    REQUIRE(brands.json().at("data").as_array().size() == 1);
    CHECK(brands.json().at("data").at(0).at("slug").as_string() == "acme-corp");
}

TEST_CASE("a product's brand and categories: validated by field, shown with paths, changed by PATCH") {
    TestShop shop;
    auto admin = shop.admin();
    auto clothing = category(admin, "Clothing");
    auto shirts = category(admin, "Shirts", clothing);
    auto acme = brand(admin, "Acme");

    auto body = product_body("Blue Shirt", "BS-1");
    body["brand_id"] = "brd_01JDQ6V3M2Z8K4T7W9XB5C0N1R";
    auto unknown_brand = admin.post("/api/v1/products", body);
    CHECK(unknown_brand.status == 422);
    CHECK(first_field(unknown_brand) == "brand_id");
    body["brand_id"] = acme;
    body["category_ids"] = json::array{json::value(shirts), json::value("cat_01JDQ6V3M2Z8K4T7W9XB5C0N1R")};
    auto unknown_cat = admin.post("/api/v1/products", body);
    CHECK(unknown_cat.status == 422);
    CHECK(first_field(unknown_cat) == "category_ids[1]");
    body["category_ids"] = json::array{json::value(shirts), json::value(shirts)};
    CHECK(first_field(admin.post("/api/v1/products", body)) == "category_ids[1]");
    CHECK(shop.client().get("/api/v1/products/blue-shirt").status == 404);  // nothing was created

    body["category_ids"] = json::array{json::value(shirts)};
    auto created = admin.post("/api/v1/products", body);
    REQUIRE_MESSAGE(created.status == 201, created.body);
    CHECK(created.json().at("brand").at("id").as_string() == acme);
    CHECK(created.json().at("categories").at(0).at("path").as_string() == "clothing/shirts");
    auto id = created.str("id");

    auto patched = admin.patch("/api/v1/products/" + id, json::object{{"brand_id", nullptr}, {"category_ids", json::array{json::value(clothing)}}});
    REQUIRE_MESSAGE(patched.status == 200, patched.body);
    CHECK(patched.json().at("brand").is_null());
    CHECK(patched.json().at("categories").as_array().size() == 1);
    CHECK(patched.json().at("categories").at(0).at("slug").as_string() == "clothing");
    auto got = shop.client().get("/api/v1/products/" + id);
    CHECK(got.json().at("brand").is_null());
    CHECK(got.json().at("categories").at(0).at("id").as_string() == clothing);
    auto bad_patch = admin.patch("/api/v1/products/" + id, json::object{{"category_ids", json::array{json::value("cat_01JDQ6V3M2Z8K4T7W9XB5C0N1R")}}});
    CHECK(bad_patch.status == 422);
    CHECK(first_field(bad_patch) == "category_ids[0]");
    CHECK(first_field(admin.patch("/api/v1/products/" + id, json::object{{"brand_id", "brd_01JDQ6V3M2Z8K4T7W9XB5C0N1R"}})) == "brand_id");

    // The catalog's face to other modules: a product in clothing/shirts is also in clothing.
    REQUIRE(admin.patch("/api/v1/products/" + id, json::object{{"brand_id", acme}, {"category_ids", json::array{json::value(shirts)}}}).status ==
            200);
    auto v = shop.app().catalog().purchasable("BS-1", "USD");
    REQUIRE(v.has_value());
    CHECK(v->brand_id == acme);
    CHECK(std::set<std::string>(v->category_ids.begin(), v->category_ids.end()) == std::set<std::string>{clothing, shirts});
    // After a move the ancestry follows.
    auto outlet = category(admin, "Outlet");
    REQUIRE(admin.patch("/api/v1/categories/" + shirts, json::object{{"parent_id", outlet}}).status == 200);
    v = shop.app().catalog().purchasable("BS-1", "USD");
    REQUIRE(v.has_value());
    CHECK(std::set<std::string>(v->category_ids.begin(), v->category_ids.end()) == std::set<std::string>{outlet, shirts});
}

TEST_CASE("the product list filters by a category's whole subtree, by brand and by collection, combined, page by page") {
    TestShop shop;
    auto admin = shop.admin();
    auto clothing = category(admin, "Clothing");
    auto shirts = category(admin, "Shirts", clothing);
    auto oxford = category(admin, "Oxford", shirts);
    auto toys = category(admin, "Toys");
    auto acme = brand(admin, "Acme");
    auto zeta = brand(admin, "Zeta");
    auto p1 = product(admin, "Acme Oxford", "F-1", acme, {oxford});
    auto p2 = product(admin, "Zeta Shirt", "F-2", zeta, {shirts});
    auto p3 = product(admin, "Acme Jacket", "F-3", acme, {clothing});
    auto p4 = product(admin, "Acme Robot", "F-4", acme, {toys});
    auto p5 = product(admin, "Plain Thing", "F-5", "", {});
    (void)p2;
    (void)p5;

    auto c = shop.client();
    CHECK(slugs(c.get("/api/v1/products?category=clothing")) == std::vector<std::string>{"acme-jacket", "zeta-shirt", "acme-oxford"});
    CHECK(slugs(c.get("/api/v1/products?category=" + shirts)) == std::vector<std::string>{"zeta-shirt", "acme-oxford"});
    CHECK(slugs(c.get("/api/v1/products?category=oxford")) == std::vector<std::string>{"acme-oxford"});
    CHECK(slugs(c.get("/api/v1/products?brand=acme")) == std::vector<std::string>{"acme-robot", "acme-jacket", "acme-oxford"});
    CHECK(slugs(c.get("/api/v1/products?brand=" + acme + "&category=clothing")) == std::vector<std::string>{"acme-jacket", "acme-oxford"});

    // Cursor pages keep the filter.
    auto page1 = c.get("/api/v1/products?category=clothing&limit=2");
    CHECK(slugs(page1) == std::vector<std::string>{"acme-jacket", "zeta-shirt"});
    auto cursor = std::string(page1.json().at("next_cursor").as_string());
    auto page2 = c.get("/api/v1/products?category=clothing&limit=2&cursor=" + cursor);
    CHECK(slugs(page2) == std::vector<std::string>{"acme-oxford"});
    CHECK(page2.json().at("next_cursor").is_null());

    // A collection: a manual list shown in its own order; as a filter, newest first like the list.
    auto col = admin.post("/api/v1/collections",
                          json::object{{"name", "Staff Picks"}, {"product_ids", json::array{json::value(p4), json::value(p1), json::value(p3)}}});
    REQUIRE_MESSAGE(col.status == 201, col.body);
    auto shown = c.get("/api/v1/collections/staff-picks");
    REQUIRE(shown.status == 200);
    std::vector<std::string> order;
    auto shown_body = shown.json();
    for (auto& p : shown_body.at("products").as_array()) order.emplace_back(p.at("slug").as_string());
    CHECK(order == std::vector<std::string>{"acme-robot", "acme-oxford", "acme-jacket"});
    CHECK(slugs(c.get("/api/v1/products?collection=staff-picks&category=clothing")) == std::vector<std::string>{"acme-jacket", "acme-oxford"});
    auto reordered = admin.patch("/api/v1/collections/" + col.str("id"), json::object{{"product_ids", json::array{json::value(p3)}}});
    REQUIRE(reordered.status == 200);
    CHECK(reordered.json().at("product_ids").as_array().size() == 1);
    CHECK(slugs(c.get("/api/v1/products?collection=" + col.str("id"))) == std::vector<std::string>{"acme-jacket"});
    auto cols = c.get("/api/v1/collections");
    REQUIRE(cols.status == 200);
    CHECK(cols.json().at("data").at(0).at("slug").as_string() == "staff-picks");

    // Unknown filters are 422 naming the parameter.
    for (auto param : {"category", "brand", "collection"}) {
        auto r = c.get(std::string("/api/v1/products?") + param + "=nope");
        CHECK(r.status == 422);
        CHECK(first_field(r) == param);
    }
    // Unknown or repeated products in a collection name the index.
    auto bad = admin.post("/api/v1/collections",
                          json::object{{"name", "Bad"}, {"product_ids", json::array{json::value(p1), json::value("prd_01JDQ6V3M2Z8K4T7W9XB5C0N1R")}}});
    CHECK(bad.status == 422);
    CHECK(first_field(bad) == "product_ids[1]");
    auto twice = admin.patch("/api/v1/collections/" + col.str("id"), json::object{{"product_ids", json::array{json::value(p1), json::value(p1)}}});
    CHECK(twice.status == 422);
    CHECK(first_field(twice) == "product_ids[1]");
    CHECK(admin.post("/api/v1/collections", json::object{{"name", "Staff Picks"}, {"product_ids", json::array{}}}).status == 409);
    CHECK(admin.request("DELETE", "/api/v1/collections/" + col.str("id")).status == 204);
    CHECK(c.get("/api/v1/collections/staff-picks").status == 404);
}
