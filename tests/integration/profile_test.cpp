// The signed-in user's profile, address book and wishlist, over real HTTP.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

std::string first_field(const HttpResult& r) { return std::string(r.json().at("errors").at(0).at("field").as_string()); }

std::set<std::string> fields(const HttpResult& r) {
    std::set<std::string> out;
    auto body = r.json();
    for (auto& e : body.at("errors").as_array()) out.insert(std::string(e.at("field").as_string()));
    return out;
}

json::object home(const std::string& line1 = "1 Main Street") {
    return {{"name", "Ann Buyer"}, {"line1", line1}, {"city", "Springfield"}, {"postal_code", "12345"}, {"country", "us"}};
}

/// id -> {default_shipping, default_billing} of every address in the caller's book.
std::map<std::string, std::pair<bool, bool>> defaults(HttpClient& c) {
    std::map<std::string, std::pair<bool, bool>> out;
    auto list = c.get("/api/v1/me/addresses?limit=100").json();
    for (auto& a : list.at("data").as_array())
        out[std::string(a.at("id").as_string())] = {a.at("default_shipping").as_bool(), a.at("default_billing").as_bool()};
    return out;
}

}  // namespace

TEST_CASE("PATCH /me changes the name, keeps a locale in canonical case and records when marketing consent was given") {
    TestShop shop;
    auto ann = shop.customer("ann@example.com");
    auto me = ann.get("/api/v1/me").json();
    CHECK(me.at("locale").is_null());
    CHECK(me.at("marketing_consent").as_bool() == false);
    CHECK(me.at("marketing_consent_at").is_null());

    auto r = ann.patch("/api/v1/me", json::object{{"name", "Ann Smith"}, {"locale", "en_us"}, {"marketing_consent", true}});
    REQUIRE(r.status == 200);
    auto body = r.json();
    CHECK(body.at("name").as_string() == "Ann Smith");
    CHECK(body.at("locale").as_string() == "en-US");
    CHECK(body.at("marketing_consent").as_bool());
    std::string given = body.at("marketing_consent_at").as_string().c_str();
    CHECK(!given.empty());

    // Saying yes again keeps the time it was first given; the profile shows it on GET too.
    CHECK(ann.patch("/api/v1/me", json::object{{"marketing_consent", true}, {"locale", "zh-hant-tw"}}).status == 200);
    me = ann.get("/api/v1/me").json();
    CHECK(me.at("marketing_consent_at").as_string() == given);
    CHECK(me.at("locale").as_string() == "zh-Hant-TW");
    CHECK(me.at("name").as_string() == "Ann Smith");

    // Withdrawn: no consent, no time; null forgets the locale.
    auto off = ann.patch("/api/v1/me", json::object{{"marketing_consent", false}, {"locale", nullptr}}).json();
    CHECK(off.at("marketing_consent").as_bool() == false);
    CHECK(off.at("marketing_consent_at").is_null());
    CHECK(off.at("locale").is_null());

    auto bad = ann.patch("/api/v1/me", json::object{{"locale", "english please"}});
    CHECK(bad.status == 422);
    CHECK(first_field(bad) == "locale");
    auto region = ann.patch("/api/v1/me", json::object{{"locale", "en-XX"}});
    CHECK(region.status == 422);
    auto typo = ann.patch("/api/v1/me", json::object{{"nmae", "Ann"}});
    CHECK(typo.status == 422);
    CHECK(first_field(typo) == "nmae");
    auto blank = ann.patch("/api/v1/me", json::object{{"name", "   "}});
    CHECK(blank.status == 422);
    CHECK(first_field(blank) == "name");
    CHECK(shop.client().patch("/api/v1/me", json::object{{"name", "Nobody"}}).status == 401);
}

TEST_CASE("addresses: create, read, change and delete, with one default shipping and one default billing address") {
    TestShop shop;
    auto ann = shop.customer("ann@example.com");

    auto first = ann.post("/api/v1/me/addresses", home());
    REQUIRE(first.status == 201);
    auto a = first.json();
    std::string a_id = a.at("id").as_string().c_str();
    CHECK(first.header("location") == "/api/v1/me/addresses/" + a_id);
    CHECK(a.at("country").as_string() == "US");
    CHECK(a.at("default_shipping").as_bool());  // the first address is both defaults
    CHECK(a.at("default_billing").as_bool());
    CHECK_FALSE(a.as_object().contains("line2"));

    auto work = home("2 Office Park");
    work["label"] = "Office";
    work["company"] = "Acme";
    work["phone"] = "+1 (555) 010-9999";
    work["default_shipping"] = true;
    auto second = ann.post("/api/v1/me/addresses", work);
    REQUIRE(second.status == 201);
    std::string b_id = second.str("id");
    CHECK(second.json().at("default_shipping").as_bool());
    CHECK(second.json().at("default_billing").as_bool() == false);
    CHECK(second.json().at("company").as_string() == "Acme");
    // Making the second the default shipping address took it from the first, which stays the billing one.
    auto d = defaults(ann);
    CHECK(d[a_id] == std::pair<bool, bool>{false, true});
    CHECK(d[b_id] == std::pair<bool, bool>{true, false});

    auto patched = ann.patch("/api/v1/me/addresses/" + a_id,
                             json::object{{"line2", "Flat 3"}, {"city", "Shelbyville"}, {"default_shipping", true}, {"default_billing", false}});
    REQUIRE(patched.status == 200);
    CHECK(patched.json().at("line2").as_string() == "Flat 3");
    CHECK(patched.json().at("city").as_string() == "Shelbyville");
    d = defaults(ann);
    CHECK(d[a_id] == std::pair<bool, bool>{true, false});
    CHECK(d[b_id] == std::pair<bool, bool>{false, false});

    auto cleared = ann.patch("/api/v1/me/addresses/" + b_id, json::object{{"company", nullptr}, {"default_billing", true}});
    REQUIRE(cleared.status == 200);
    CHECK_FALSE(cleared.json().as_object().contains("company"));
    CHECK(cleared.json().at("default_billing").as_bool());

    auto got = ann.get("/api/v1/me/addresses/" + b_id);
    CHECK(got.status == 200);
    CHECK(got.json().at("label").as_string() == "Office");

    CHECK(ann.request("DELETE", "/api/v1/me/addresses/" + b_id).status == 204);
    CHECK(ann.get("/api/v1/me/addresses/" + b_id).status == 404);
    CHECK(ann.request("DELETE", "/api/v1/me/addresses/" + b_id).status == 404);
    d = defaults(ann);
    CHECK(d.size() == 1);
    CHECK(d[a_id] == std::pair<bool, bool>{true, false});  // the billing default went with the deleted address
}

TEST_CASE("an address is refused field by field: unassigned country, missing lines, a phone that is not one") {
    TestShop shop;
    auto ann = shop.customer("ann@example.com");
    auto bad = home();
    bad["country"] = "XX";
    bad.erase("line1");
    bad.erase("postal_code");
    auto r = ann.post("/api/v1/me/addresses", bad);
    CHECK(r.status == 422);
    CHECK(fields(r) == std::set<std::string>{"country", "line1", "postal_code"});
    auto three = home();
    three["country"] = "USA";
    CHECK(first_field(ann.post("/api/v1/me/addresses", three)) == "country");
    auto phone = home();
    phone["phone"] = "call me maybe";
    auto p = ann.post("/api/v1/me/addresses", phone);
    CHECK(p.status == 422);
    CHECK(first_field(p) == "phone");
    CHECK(ann.get("/api/v1/me/addresses").json().at("data").as_array().empty());
    auto ok = ann.post("/api/v1/me/addresses", home());
    REQUIRE(ok.status == 201);
    auto patch = ann.patch("/api/v1/me/addresses/" + ok.str("id"), json::object{{"country", "ZZ"}});
    CHECK(patch.status == 422);
    CHECK(first_field(patch) == "country");
}

TEST_CASE("a customer never sees, changes or deletes another customer's addresses") {
    TestShop shop;
    auto ann = shop.customer("ann@example.com");
    auto bob = shop.customer("bob@example.com");
    auto mine = ann.post("/api/v1/me/addresses", home());
    REQUIRE(mine.status == 201);
    std::string id = mine.str("id");
    CHECK(bob.get("/api/v1/me/addresses").json().at("data").as_array().empty());
    CHECK(bob.get("/api/v1/me/addresses/" + id).status == 404);
    CHECK(bob.patch("/api/v1/me/addresses/" + id, json::object{{"city", "Stolen"}}).status == 404);
    CHECK(bob.request("DELETE", "/api/v1/me/addresses/" + id).status == 404);
    // Bob's first address is his default: it does not take Ann's default away.
    CHECK(bob.post("/api/v1/me/addresses", home("9 Elm Street")).json().at("default_shipping").as_bool());
    auto still = ann.get("/api/v1/me/addresses/" + id).json();
    CHECK(still.at("city").as_string() == "Springfield");
    CHECK(still.at("default_shipping").as_bool());
    CHECK(shop.client().get("/api/v1/me/addresses").status == 401);
}

TEST_CASE("address lists page with a cursor and an Idempotency-Key retry adds the address once") {
    TestShop shop;
    auto ann = shop.customer("ann@example.com");
    auto once = ann.post("/api/v1/me/addresses", home(), {{"Idempotency-Key", "addr-1"}});
    auto again = ann.post("/api/v1/me/addresses", home(), {{"Idempotency-Key", "addr-1"}});
    REQUIRE(once.status == 201);
    CHECK(again.status == 201);
    CHECK(again.str("id") == once.str("id"));
    CHECK(again.header("idempotent-replayed") == "true");
    for (int i = 0; i < 4; ++i) REQUIRE(ann.post("/api/v1/me/addresses", home(std::to_string(i) + " Side Street")).status == 201);
    std::set<std::string> seen;
    std::string cursor;
    int pages = 0;
    do {
        auto page = ann.get("/api/v1/me/addresses?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor)).json();
        for (auto& a : page.at("data").as_array()) seen.insert(std::string(a.at("id").as_string()));
        cursor = page.at("next_cursor").is_null() ? "" : std::string(page.at("next_cursor").as_string());
        ++pages;
    } while (!cursor.empty() && pages < 10);
    CHECK(seen.size() == 5);
    CHECK(pages == 3);
}

TEST_CASE("concurrent default changes on two instances leave exactly one default shipping address") {
    TestShop shop;
    auto ann = shop.customer("ann@example.com");
    constexpr int kAddresses = 8;
    std::vector<std::string> ids;
    for (int i = 0; i < kAddresses; ++i) {
        auto a = home(std::to_string(i) + " Race Road");
        a["default_shipping"] = false;
        a["default_billing"] = false;
        auto r = ann.post("/api/v1/me/addresses", a);
        REQUIRE(r.status == 201);
        ids.push_back(r.str("id"));
    }
    std::uint16_t ports[2] = {shop.port(), shop.peer_port()};
    std::atomic<int> ok{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kAddresses; ++i)
        threads.emplace_back([&, i] {
            auto c = ann.on(ports[i % 2]);
            while (!go) std::this_thread::yield();
            auto r = c.patch("/api/v1/me/addresses/" + ids[i], json::object{{"default_shipping", true}, {"default_billing", true}});
            if (r.status == 200) ++ok;
            else ++other;
        });
    go = true;
    for (auto& t : threads) t.join();
    CHECK(ok == kAddresses);
    CHECK(other == 0);
    int shipping = 0, billing = 0;
    for (auto& [id, d] : defaults(ann)) {
        shipping += d.first ? 1 : 0;
        billing += d.second ? 1 : 0;
    }
    CHECK(shipping == 1);
    CHECK(billing == 1);
}

TEST_CASE("the wishlist holds published products, checked with the catalog, and is each customer's own") {
    TestShop shop;
    auto admin = shop.admin();
    std::string mug = shop.product("WISH-MUG", 1500, 5);
    std::string lamp = shop.product("WISH-LAMP", 4500, 5);
    auto draft = admin.post("/api/v1/products", json::object{{"title", "Secret Prototype"}, {"status", "draft"},
                                                             {"variants", json::array{json::object{{"sku", "WISH-DRAFT"},
                                                                                                   {"prices", json::array{json::object{{"amount", 100}, {"currency", "USD"}}}}}}}});
    REQUIRE(draft.status == 201);
    auto ann = shop.customer("ann@example.com");
    auto bob = shop.customer("bob@example.com");

    auto added = ann.post("/api/v1/me/wishlist", json::object{{"product_id", mug}});
    REQUIRE(added.status == 201);
    CHECK(added.json().at("title").as_string() == "Product WISH-MUG");
    CHECK(added.json().at("available").as_bool());
    std::string when = added.str("added_at");
    auto twice = ann.post("/api/v1/me/wishlist", json::object{{"product_id", mug}});
    CHECK(twice.status == 201);
    CHECK(twice.str("added_at") == when);
    REQUIRE(ann.post("/api/v1/me/wishlist", json::object{{"product_id", lamp}}).status == 201);

    // Unknown and unpublished products are refused, naming the field; a malformed id too.
    auto unknown = ann.post("/api/v1/me/wishlist", json::object{{"product_id", "prd_01JAAAAAAAAAAAAAAAAAAAAAAA"}});
    CHECK(unknown.status == 422);
    CHECK(first_field(unknown) == "product_id");
    auto hidden = ann.post("/api/v1/me/wishlist", json::object{{"product_id", draft.str("id")}});
    CHECK(hidden.status == 422);
    CHECK(first_field(hidden) == "product_id");
    CHECK(first_field(ann.post("/api/v1/me/wishlist", json::object{{"product_id", "mug"}})) == "product_id");

    auto list = ann.get("/api/v1/me/wishlist").json();
    auto items = list.at("data").as_array();
    REQUIRE(items.size() == 2);
    CHECK(items[0].at("product_id").as_string() == lamp);  // last added first
    CHECK(items[1].at("product_id").as_string() == mug);
    CHECK(bob.get("/api/v1/me/wishlist").json().at("data").as_array().empty());
    CHECK(bob.request("DELETE", "/api/v1/me/wishlist/" + mug).status == 404);

    // A product withdrawn from sale stays listed, no longer available.
    REQUIRE(admin.patch("/api/v1/products/" + lamp, json::object{{"status", "archived"}}).status == 200);
    list = ann.get("/api/v1/me/wishlist").json();
    auto withdrawn = list.at("data").at(0).as_object();
    CHECK(withdrawn.at("product_id").as_string() == lamp);
    CHECK(withdrawn.at("available").as_bool() == false);
    CHECK_FALSE(withdrawn.contains("title"));

    CHECK(ann.request("DELETE", "/api/v1/me/wishlist/" + mug).status == 204);
    CHECK(ann.request("DELETE", "/api/v1/me/wishlist/" + mug).status == 404);
    list = ann.get("/api/v1/me/wishlist").json();
    CHECK(list.at("data").as_array().size() == 1);
    CHECK(shop.client().get("/api/v1/me/wishlist").status == 401);
}
