// Roles and admin user management over real HTTP: search and cursor, role changes that apply to
// live access tokens, disabling that ends every session at once, and revoked sessions.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <set>
#include <string>

#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

json::object product_body(const std::string& sku) {
    return json::object{{"title", "Lamp " + sku},
                        {"status", "draft"},
                        {"variants", json::array{json::object{{"sku", sku}, {"prices", json::array{json::object{{"amount", 1000}, {"currency", "USD"}}}}}}}};
}

struct Account {
    std::string id, access, refresh;
};

Account register_user(TestShop& shop, const std::string& email, const std::string& name = "Test User") {
    auto r = shop.client().post("/api/v1/auth/register", json::object{{"email", email}, {"password", "a-long-enough-passphrase"}, {"name", name}});
    REQUIRE(r.status == 201);
    return {std::string(r.json().at("user").at("id").as_string()), r.str("access_token"), r.str("refresh_token")};
}

Account login(TestShop& shop, const std::string& email) {
    auto r = shop.client().post("/api/v1/auth/login", json::object{{"email", email}, {"password", "a-long-enough-passphrase"}});
    REQUIRE(r.status == 200);
    return {"", r.str("access_token"), r.str("refresh_token")};
}

HttpResult me(TestShop& shop, const std::string& access) {
    return shop.client().get("/api/v1/me", {{"Authorization", "Bearer " + access}});
}

}  // namespace

TEST_CASE("admins list users with search by email or name and a cursor - others may not") {
    TestShop shop;
    register_user(shop, "ann.smith@example.com", "Ann Smith");
    register_user(shop, "bob@example.com", "Bob Smithers");
    register_user(shop, "carol@example.org", "Carol");
    auto cust = shop.customer("dave@example.com");
    auto admin = shop.admin();

    CHECK(cust.get("/api/v1/admin/users").status == 403);
    CHECK(shop.client().get("/api/v1/admin/users").status == 401);

    auto smith = admin.get("/api/v1/admin/users?q=SMITH");
    REQUIRE(smith.status == 200);
    json::value smith_json = smith.json();
    std::set<std::string> names;
    for (auto& u : smith_json.at("data").as_array()) names.insert(std::string(u.at("name").as_string()));
    CHECK(names == std::set<std::string>{"Ann Smith", "Bob Smithers"});
    auto org = admin.get("/api/v1/admin/users?q=example.org");
    CHECK(org.json().at("data").as_array().size() == 1);
    CHECK(admin.get("/api/v1/admin/users?q=50%25").json().at("data").as_array().empty());  // % is a character, not a wildcard
    auto admins = admin.get("/api/v1/admin/users?role=admin");
    REQUIRE(admins.json().at("data").as_array().size() == 1);
    CHECK(admins.json().at("data").at(0).at("email") == kAdminEmail);
    CHECK(admin.get("/api/v1/admin/users?role=owner").status == 422);

    // Five users, two per page, each exactly once, newest first.
    std::vector<std::string> seen;
    std::string cursor;
    for (int page = 0; page < 5; ++page) {
        auto r = admin.get("/api/v1/admin/users?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
        REQUIRE(r.status == 200);
        json::value body = r.json();
        for (auto& u : body.at("data").as_array()) seen.push_back(std::string(u.at("email").as_string()));
        if (body.at("next_cursor").is_null()) break;
        cursor = std::string(body.at("next_cursor").as_string());
    }
    CHECK(seen == std::vector<std::string>{"dave@example.com", "carol@example.org", "bob@example.com", "ann.smith@example.com", kAdminEmail});
}

TEST_CASE("a role change applies to the user's live access token - an admin cannot demote itself") {
    TestShop shop;
    auto ann = register_user(shop, "ann@example.com");
    auto admin = shop.admin();
    auto as_ann = shop.client();
    as_ann.set_header("Authorization", "Bearer " + ann.access);

    CHECK(as_ann.post("/api/v1/products", product_body("ANN-1")).status == 403);
    auto made = admin.patch("/api/v1/admin/users/" + ann.id, json::object{{"role", "vendor"}});
    REQUIRE(made.status == 200);
    CHECK(made.str("role") == "vendor");
    CHECK(made.json().at("disabled") == false);
    // The same token, issued while Ann was a customer, now carries her vendor role.
    CHECK(as_ann.post("/api/v1/products", product_body("ANN-2")).status == 201);
    CHECK(as_ann.get("/api/v1/me").str("role") == "vendor");
    CHECK(as_ann.get("/api/v1/admin/users").status == 403);

    REQUIRE(admin.patch("/api/v1/admin/users/" + ann.id, json::object{{"role", "customer"}}).status == 200);
    CHECK(as_ann.post("/api/v1/products", product_body("ANN-3")).status == 403);

    auto self = admin.get("/api/v1/admin/users?role=admin").json().at("data").at(0).at("id");
    auto demote = admin.patch("/api/v1/admin/users/" + std::string(self.as_string()), json::object{{"role", "customer"}});
    CHECK(demote.status == 409);
    CHECK(demote.json().at("errors").at(0).at("field") == "role");
    CHECK(admin.patch("/api/v1/admin/users/" + std::string(self.as_string()), json::object{{"disabled", true}}).status == 409);
    CHECK(admin.patch("/api/v1/admin/users/usr_01JDOESNOTEXIST0000000000", json::object{{"role", "vendor"}}).status == 404);
    auto bad = admin.patch("/api/v1/admin/users/" + ann.id, json::object{{"role", "owner"}});
    CHECK(bad.status == 422);
    CHECK(bad.json().at("errors").at(0).at("field") == "role");
    CHECK(as_ann.patch("/api/v1/admin/users/" + ann.id, json::object{{"role", "admin"}}).status == 403);
}

TEST_CASE("disabling a user stops its access tokens at once - refresh and login fail until enabled again") {
    TestShop shop;
    auto ann = register_user(shop, "ann@example.com");
    auto second = login(shop, "ann@example.com");
    auto bob = register_user(shop, "bob@example.com");
    auto admin = shop.admin();
    REQUIRE(me(shop, ann.access).status == 200);
    REQUIRE(me(shop, second.access).status == 200);

    auto off = admin.patch("/api/v1/admin/users/" + ann.id, json::object{{"disabled", true}});
    REQUIRE(off.status == 200);
    CHECK(off.json().at("disabled") == true);
    CHECK(me(shop, ann.access).status == 401);
    CHECK(me(shop, second.access).status == 401);
    CHECK(shop.client().post("/api/v1/auth/refresh", json::object{{"refresh_token", ann.refresh}}).status == 401);
    CHECK(shop.client().post("/api/v1/auth/login", json::object{{"email", "ann@example.com"}, {"password", "a-long-enough-passphrase"}}).status ==
          401);
    CHECK(me(shop, bob.access).status == 200);  // nobody else is affected

    REQUIRE(admin.patch("/api/v1/admin/users/" + ann.id, json::object{{"disabled", false}}).status == 200);
    CHECK(me(shop, ann.access).status == 401);  // the old sessions stay ended
    CHECK(me(shop, login(shop, "ann@example.com").access).status == 200);
}

TEST_CASE("a signed-out or reuse-revoked session's access tokens stop at once - other sessions go on") {
    TestShop shop;
    auto ann = register_user(shop, "ann@example.com");
    auto laptop = login(shop, "ann@example.com");
    auto phone = login(shop, "ann@example.com");

    // Sign-out of the laptop session ends its access token too.
    auto out = shop.client().post("/api/v1/auth/logout", json::object{{"refresh_token", laptop.refresh}},
                                  {{"Authorization", "Bearer " + laptop.access}});
    REQUIRE(out.status == 204);
    CHECK(me(shop, laptop.access).status == 401);
    CHECK(me(shop, phone.access).status == 200);
    CHECK(me(shop, ann.access).status == 200);

    // The phone's refresh token is rotated, then the old one comes back: the whole family ends,
    // including the access token the rotation just issued.
    auto rotated = shop.client().post("/api/v1/auth/refresh", json::object{{"refresh_token", phone.refresh}});
    REQUIRE(rotated.status == 200);
    CHECK(me(shop, rotated.str("access_token")).status == 200);
    CHECK(shop.client().post("/api/v1/auth/refresh", json::object{{"refresh_token", phone.refresh}}).status == 401);
    CHECK(me(shop, rotated.str("access_token")).status == 401);
    CHECK(me(shop, phone.access).status == 401);
    CHECK(shop.client().post("/api/v1/auth/refresh", json::object{{"refresh_token", rotated.str("refresh_token")}}).status == 401);
    CHECK(me(shop, ann.access).status == 200);
}
