// The audit log: entries written by each module in the transaction of its change, read by admins
// across every module through GET /api/v1/admin/audit-log.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

/// Every entry of the audit log matching `query` (following the cursor), newest first.
std::vector<json::object> audit_log(HttpClient& admin, const std::string& query = "", int page_size = 100) {
    std::vector<json::object> out;
    std::string cursor;
    for (int page = 0; page < 50; ++page) {
        std::string target = "/api/v1/admin/audit-log?limit=" + std::to_string(page_size) + (query.empty() ? "" : "&" + query) +
                             (cursor.empty() ? "" : "&cursor=" + cursor);
        auto r = admin.get(target);
        REQUIRE_MESSAGE(r.status == 200, r.body);
        auto body = r.json();
        for (auto& e : body.at("data").as_array()) out.push_back(e.as_object());
        if (body.at("next_cursor").is_null()) break;
        cursor = body.at("next_cursor").as_string().c_str();
    }
    return out;
}

std::vector<std::string> actions(const std::vector<json::object>& entries) {
    std::vector<std::string> out;
    for (auto& e : entries) out.push_back(std::string(e.at("action").as_string()));
    return out;
}

int count(const std::vector<json::object>& entries, const std::string& action) {
    int n = 0;
    for (auto& e : entries) n += e.at("action").as_string() == action ? 1 : 0;
    return n;
}

std::string first_field(const HttpResult& r) { return std::string(r.json().at("errors").at(0).at("field").as_string()); }

}  // namespace

TEST_CASE("logins, failed and successful, and password changes are in the audit log with actor, address and request id") {
    TestShop shop;
    std::string ann_id;
    auto ann = shop.customer("ann@example.com", &ann_id);
    auto c = shop.client();
    auto wrong = c.post("/api/v1/auth/login", json::object{{"email", "ann@example.com"}, {"password", "not her password 1"}},
                        {{"X-Request-Id", "audit-wrong-password"}});
    CHECK(wrong.status == 401);
    CHECK(c.post("/api/v1/auth/login", json::object{{"email", "nobody@example.com"}, {"password", "whatever it is 12"}}).status == 401);
    auto ok = c.post("/api/v1/auth/login", json::object{{"email", "ann@example.com"}, {"password", "a-long-enough-passphrase"}},
                     {{"X-Request-Id", "audit-good-login"}});
    REQUIRE(ok.status == 200);
    auto changed_pw = ann.post("/api/v1/auth/password/change",
                               json::object{{"current_password", "a-long-enough-passphrase"}, {"new_password", "another long passphrase 7"}});
    REQUIRE(changed_pw.status == 200);
    // The change ends every session, this one too: the new pair carries on.
    ann.set_header("Authorization", "Bearer " + changed_pw.str("access_token"));

    auto admin = shop.admin();
    auto failed = audit_log(admin, "action=identity.login.failed");
    REQUIRE(failed.size() == 2);
    // Newest first: the unknown account, then Ann's wrong password.
    CHECK(failed[0].at("details").at("reason").as_string() == "unknown_account");
    CHECK(failed[0].at("target").as_string() == "");
    auto& bad = failed[1];
    CHECK(bad.at("target").as_string() == ann_id);
    CHECK(bad.at("actor").at("type").as_string() == "anonymous");
    CHECK(bad.at("details").at("reason").as_string() == "wrong_password");
    CHECK(bad.at("details").at("email").as_string() == "ann@example.com");
    CHECK(bad.at("client_address").as_string() == "127.0.0.1");
    CHECK(bad.at("correlation_id").as_string() == "audit-wrong-password");
    CHECK(bad.at("module").as_string() == "identity");

    // `identity.login` is a prefix of whole words: both outcomes, never `identity.loginx`.
    auto logins = audit_log(admin, "action=identity.login");
    CHECK(count(logins, "identity.login.failed") == 2);
    CHECK(count(logins, "identity.login.succeeded") == 2);  // Ann's and the admin's own
    auto good = audit_log(admin, "action=identity.login.succeeded&actor=" + ann_id);
    REQUIRE(good.size() == 1);
    CHECK(good[0].at("actor").at("type").as_string() == "user");
    CHECK(good[0].at("actor").at("id").as_string() == ann_id);
    CHECK(good[0].at("correlation_id").as_string() == "audit-good-login");

    auto changed = audit_log(admin, "action=identity.password");
    REQUIRE(changed.size() == 1);
    CHECK(changed[0].at("action").as_string() == "identity.password.changed");
    CHECK(changed[0].at("actor").at("id").as_string() == ann_id);
    CHECK(changed[0].at("target").as_string() == ann_id);
    CHECK(audit_log(admin, "action=identity.log").empty());

    // A reset asked for an account is recorded (one that asks for nobody's leaves nothing to record);
    // a profile change records what changed.
    CHECK(c.post("/api/v1/auth/password/forgot", json::object{{"email", "ann@example.com"}}).status == 202);
    CHECK(c.post("/api/v1/auth/password/forgot", json::object{{"email", "nobody@example.com"}}).status == 202);
    auto asked = audit_log(admin, "action=identity.password.reset_requested");
    REQUIRE(asked.size() == 1);
    CHECK(asked[0].at("target").as_string() == ann_id);
    CHECK(asked[0].at("actor").at("type").as_string() == "anonymous");
    REQUIRE(ann.patch("/api/v1/me", json::object{{"marketing_consent", true}}).status == 200);
    auto profile = audit_log(admin, "action=identity.profile&actor=" + ann_id);
    REQUIRE(profile.size() == 1);
    CHECK(profile[0].at("details").at("fields").at(0).as_string() == "marketing_consent");
    CHECK(profile[0].at("details").at("marketing_consent").as_bool());
}

TEST_CASE("admin changes in catalog, inventory and ordering are audited in their own modules and merged newest first") {
    TestShop shop;
    auto admin = shop.admin();
    std::string admin_id = admin.get("/api/v1/me").str("id");
    auto cat = admin.post("/api/v1/categories", json::object{{"name", "Mugs"}});
    REQUIRE(cat.status == 201);
    REQUIRE(admin.patch("/api/v1/categories/" + cat.str("id"), json::object{{"name", "Cups and mugs"}}).status == 200);
    std::string product = shop.product("AUD-MUG", 1200, 7);  // a product and its stock level
    REQUIRE(admin.post("/api/v1/admin/inventory/AUD-MUG/adjustments", json::object{{"warehouse", "main"}, {"delta", 3}, {"reason", "delivery"}})
                .status == 200);
    REQUIRE(admin.post("/api/v1/admin/warehouses", json::object{{"code", "east"}, {"name", "East"}}).status == 201);
    REQUIRE(admin.post("/api/v1/admin/promotions", json::object{{"code", "AUDIT10"}, {"kind", "percent"}, {"percent", 10}}).status == 201);
    REQUIRE(admin.post("/api/v1/admin/tax-rates", json::object{{"country", "DE"}, {"rate_bp", 1900}}).status == 201);
    // A change that fails leaves no entry: the entry is part of the change's transaction.
    CHECK(admin.post("/api/v1/categories", json::object{{"name", "Mugs again"}, {"slug", "mugs"}}).status == 409);

    auto all = audit_log(admin, "actor=" + admin_id);
    auto seen = actions(all);
    for (const char* a : {"catalog.category.created", "catalog.category.updated", "catalog.product.created", "inventory.stock.set",
                          "inventory.stock.adjusted", "inventory.warehouse.created", "ordering.promotion.created", "ordering.tax_rate.created"}) {
        CAPTURE(a);
        CHECK(count(all, a) == 1);
    }
    CHECK(count(all, "catalog.category.created") == 1);  // not the refused one
    for (std::size_t i = 1; i < all.size(); ++i) {
        CHECK(all[i - 1].at("id").as_string() > all[i].at("id").as_string());
        CHECK(all[i - 1].at("at").as_string() >= all[i].at("at").as_string());
    }
    // The newest is the tax rate, the oldest of these the category: modules interleave in time order.
    CHECK(seen.front() == "ordering.tax_rate.created");
    auto created = std::find(seen.begin(), seen.end(), "catalog.category.created");
    auto adjusted = std::find(seen.begin(), seen.end(), "inventory.stock.adjusted");
    CHECK(adjusted < created);

    auto product_entry = audit_log(admin, "action=catalog.product");
    REQUIRE(product_entry.size() == 1);
    CHECK(product_entry[0].at("target").as_string() == product);
    CHECK(product_entry[0].at("module").as_string() == "catalog");
    CHECK(product_entry[0].at("details").at("skus").at(0).as_string() == "AUD-MUG");
    auto adjustment = audit_log(admin, "action=inventory.stock.adjusted");
    REQUIRE(adjustment.size() == 1);
    CHECK(adjustment[0].at("target").as_string() == "AUD-MUG");
    CHECK(adjustment[0].at("details").at("delta").as_int64() == 3);
    CHECK(adjustment[0].at("details").at("reason").as_string() == "delivery");
    auto promo = audit_log(admin, "action=ordering");
    REQUIRE(promo.size() == 2);
    CHECK(promo[1].at("details").at("changes").at("code").as_string() == "AUDIT10");

    // Pages of two, following the cursor, give the same entries in the same order.
    auto paged = audit_log(admin, "actor=" + admin_id, 2);
    REQUIRE(paged.size() == all.size());
    for (std::size_t i = 0; i < all.size(); ++i) CHECK(paged[i].at("id") == all[i].at("id"));
}

TEST_CASE("every catalog admin write is audited - variants, images, deletion, FX rates and attributes") {
    TestShop shop;
    auto admin = shop.admin();
    std::string admin_id = admin.get("/api/v1/me").str("id");
    std::string product = shop.product("AUD-LAMP", 4000, 2);
    auto usd = [](std::int64_t amount) { return json::array{json::object{{"amount", amount}, {"currency", "USD"}}}; };
    auto added = admin.post("/api/v1/products/" + product + "/variants", json::object{{"sku", "AUD-LAMP-XL"}, {"prices", usd(4500)}});
    REQUIRE(added.status == 201);
    std::string variant;
    {
        json::value doc = added.json();
        for (auto& v : doc.at("variants").as_array())
            if (v.at("sku").as_string() == "AUD-LAMP-XL") variant = v.at("id").as_string().c_str();
    }
    REQUIRE(!variant.empty());
    REQUIRE(admin.patch("/api/v1/products/" + product + "/variants/" + variant, json::object{{"title", "Extra large"}, {"prices", usd(4700)}})
                .status == 200);
    REQUIRE(admin.request("DELETE", "/api/v1/products/" + product + "/variants/" + variant).status / 100 == 2);
    const unsigned char png[] = {137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 31, 21, 196,
                                 137, 0, 0, 0, 11, 73, 68, 65, 84, 120, 156, 99, 96, 0, 2, 0, 0, 5, 0, 1, 122, 94, 171, 63, 0, 0, 0, 0, 73, 69, 78, 68,
                                 174, 66, 96, 130};
    auto image = admin.request("POST", "/api/v1/admin/products/" + product + "/images?alt=Lamp",
                               std::string(reinterpret_cast<const char*>(png), sizeof png), {{"Content-Type", "image/png"}});
    REQUIRE(image.status == 201);
    REQUIRE(admin.put("/api/v1/admin/fx-rates",
                      json::object{{"base", "USD"}, {"rates", json::array{json::object{{"currency", "EUR"}, {"rate", "0.92"}}}}})
                .status == 200);
    auto attr = admin.post("/api/v1/attributes", json::object{{"code", "finish"}, {"name", "Finish"}, {"type", "text"}});
    REQUIRE(attr.status == 201);
    REQUIRE(admin.patch("/api/v1/attributes/" + attr.str("id"), json::object{{"name", "Surface finish"}}).status == 200);
    REQUIRE(admin.request("DELETE", "/api/v1/attributes/" + attr.str("id")).status / 100 == 2);
    REQUIRE(admin.request("DELETE", "/api/v1/products/" + product).status == 200);
    // Refused changes leave nothing behind.
    CHECK(admin.request("DELETE", "/api/v1/products/" + product + "/variants/var_nothere").status == 404);
    CHECK(admin.post("/api/v1/attributes", json::object{{"code", "finish"}, {"name", "x"}, {"type", "text"}}).status == 201);
    CHECK(admin.post("/api/v1/attributes", json::object{{"code", "finish"}, {"name", "x"}, {"type", "text"}}).status == 409);

    auto all = audit_log(admin, "action=catalog&actor=" + admin_id);
    for (const char* a : {"catalog.variant.added", "catalog.variant.updated", "catalog.variant.removed", "catalog.image.added",
                          "catalog.fx_rates.replaced", "catalog.attribute.updated", "catalog.attribute.removed", "catalog.product.deleted"}) {
        CAPTURE(a);
        CHECK(count(all, a) == 1);
    }
    CHECK(count(all, "catalog.attribute.created") == 2);
    auto variant_updated = audit_log(admin, "action=catalog.variant.updated");
    REQUIRE(variant_updated.size() == 1);
    CHECK(variant_updated[0].at("target").as_string() == variant);
    CHECK(variant_updated[0].at("details").at("sku").as_string() == "AUD-LAMP-XL");
    CHECK(variant_updated[0].at("details").at("fields") == json::array{"title", "prices"});
    auto fx = audit_log(admin, "action=catalog.fx_rates");
    REQUIRE(fx.size() == 1);
    CHECK(fx[0].at("details").at("rates").at("EUR").as_string() == "0.92");
    auto deleted = audit_log(admin, "action=catalog.product.deleted");
    REQUIRE(deleted.size() == 1);
    CHECK(deleted[0].at("target").as_string() == product);
    auto img = audit_log(admin, "action=catalog.image");
    REQUIRE(img.size() == 1);
    CHECK(img[0].at("details").at("product_id").as_string() == product);
    CHECK(img[0].at("target").as_string() == image.str("id"));
}

TEST_CASE("an admin's cancellation of a customer's order is audited by ordering") {
    TestShop shop;
    shop.product("AUD-CANCEL", 900, 3);
    auto ann = shop.customer("ann@example.com");
    auto cart = ann.post("/api/v1/carts", json::object{});
    REQUIRE(cart.status == 201);
    REQUIRE(ann.post("/api/v1/carts/" + cart.str("id") + "/items", json::object{{"sku", "AUD-CANCEL"}, {"quantity", 1}}).status == 201);
    auto order = ann.post("/api/v1/checkout",
                          json::object{{"cart_id", cart.str("id")},
                                       {"shipping_address", json::object{{"name", "Ann"}, {"line1", "1 Main St"}, {"city", "Springfield"},
                                                                         {"postal_code", "12345"}, {"country", "US"}}},
                                       {"shipping_method", "standard"}});
    REQUIRE(order.status == 201);
    auto admin = shop.admin();
    REQUIRE(admin.post("/api/v1/orders/" + order.str("id") + "/cancel", json::object{}).status == 200);
    auto entries = audit_log(admin, "action=ordering.order.cancelled");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].at("target").as_string() == order.str("id"));
    CHECK(entries[0].at("details").at("by_shop").as_bool());
    CHECK(entries[0].at("details").at("from").as_string() == "pending_payment");
}

TEST_CASE("the audit log is for admins, and its filters are checked") {
    TestShop shop;
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    CHECK(ann.get("/api/v1/admin/audit-log").status == 403);
    CHECK(shop.client().get("/api/v1/admin/audit-log").status == 401);
    auto bad_action = admin.get("/api/v1/admin/audit-log?action=Identity.Login");
    CHECK(bad_action.status == 422);
    CHECK(first_field(bad_action) == "action");
    auto backwards = admin.get("/api/v1/admin/audit-log?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z");
    CHECK(backwards.status == 422);
    CHECK(first_field(backwards) == "to");
    CHECK(first_field(admin.get("/api/v1/admin/audit-log?from=yesterday")) == "from");
    CHECK(admin.get("/api/v1/admin/audit-log?cursor=bm90LWEtY3Vyc29y").status == 422);
    // The admin's own login is there; nothing is after the far future, everything before it.
    CHECK(audit_log(admin, "from=2999-01-01T00:00:00Z").empty());
    CHECK(!audit_log(admin, "to=2999-01-01T00:00:00Z&action=identity.login.succeeded").empty());
    CHECK(audit_log(admin, "to=2000-01-01T00:00:00Z").empty());
}
