// The whole app in process on an ephemeral port, driven over real HTTP sockets.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "payment/events.hpp"
#include "platform/db.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;
using Overrides = std::map<std::string, std::string>;

namespace {

json::object address() {
    return {{"name", "Ann Buyer"}, {"line1", "1 Main Street"}, {"city", "Springfield"}, {"postal_code", "12345"}, {"country", "us"}};
}

std::string make_cart(HttpClient& c, const std::string& sku, int quantity, std::string* guest_token = nullptr) {
    auto cart = c.post("/api/v1/carts", json::object{});
    REQUIRE(cart.status == 201);
    std::string id = cart.str("id");
    if (guest_token) {
        *guest_token = cart.str("token");
        c.set_header("X-Cart-Token", *guest_token);
    }
    auto add = c.post("/api/v1/carts/" + id + "/items", json::object{{"sku", sku}, {"quantity", quantity}});
    REQUIRE_MESSAGE(add.status == 201, add.body);
    return id;
}

HttpResult checkout(HttpClient& c, const std::string& cart_id, const std::string& key = {}, const std::string& email = {}) {
    json::object body{{"cart_id", cart_id}, {"shipping_address", address()}, {"shipping_method", "standard"}};
    if (!email.empty()) body["email"] = email;
    std::map<std::string, std::string> h;
    if (!key.empty()) h["Idempotency-Key"] = key;
    return c.post("/api/v1/checkout", body, h);
}

std::string card_token(HttpClient& c, const std::string& number) {
    auto r = c.post("/api/v1/payments/sandbox/tokens",
                    json::object{{"number", number}, {"exp_month", 12}, {"exp_year", 2099}, {"cvc", "123"}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.str("token");
}

json::object stock(HttpClient& admin, const std::string& sku) {
    auto r = admin.get("/api/v1/admin/inventory/" + sku);
    REQUIRE(r.status == 200);
    return r.json().as_object();
}

json::object stock(HttpClient&& admin, const std::string& sku) { return stock(admin, sku); }

std::int64_t amount(const json::value& money) { return money.at("amount").as_int64(); }

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::filesystem::path> mails(const TestShop& shop) {
    std::vector<std::filesystem::path> out;
    auto dir = shop.dir() / "mail" / "outbox";
    if (!std::filesystem::exists(dir)) return out;
    for (auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".eml") out.push_back(e.path());
    return out;
}

}  // namespace

TEST_CASE("a whole checkout: order confirmed, stock sold, confirmation mailed with the right total") {
    TestShop shop;
    shop.product("TEE-M", 1999, 5);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");

    auto cart_id = make_cart(ann, "TEE-M", 2);
    auto cart = ann.get("/api/v1/carts/" + cart_id);
    CHECK(amount(cart.json().at("subtotal")) == 3998);
    CHECK(amount(cart.json().at("lines").at(0).at("unit_price")) == 1999);

    auto placed = checkout(ann, cart_id, "checkout-1");
    REQUIRE_MESSAGE(placed.status == 201, placed.body);
    auto order = placed.json().as_object();
    std::string order_id(order.at("id").as_string());
    CHECK(order.at("status").as_string() == "pending_payment");
    CHECK(amount(order.at("subtotal")) == 3998);
    CHECK(amount(order.at("shipping")) == 500);
    CHECK(amount(order.at("total")) == 4498);
    CHECK(order.at("lines").as_array().size() == 1);

    SUBCASE("the same Idempotency-Key returns the same order") {
        auto again = checkout(ann, cart_id, "checkout-1");
        CHECK(again.status == 201);
        CHECK(again.str("id") == order_id);
    }

    auto reserved = stock(admin, "TEE-M");
    CHECK(reserved.at("on_hand").as_int64() == 5);
    CHECK(reserved.at("reserved").as_int64() == 2);
    CHECK(reserved.at("available").as_int64() == 3);

    // A declined card leaves the order payable.
    auto declined = ann.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", card_token(ann, "4000 0000 0000 0002")}});
    REQUIRE_MESSAGE(declined.status == 201, declined.body);
    CHECK(declined.str("status") == "failed");
    CHECK(declined.str("failure_code") == "card_declined");
    CHECK(declined.json().at("card").at("last4").as_string() == "0002");
    shop.settle();
    CHECK(ann.get("/api/v1/orders/" + order_id).str("status") == "pending_payment");

    auto paid = ann.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", card_token(ann, "4242 4242 4242 4242")}});
    REQUIRE_MESSAGE(paid.status == 201, paid.body);
    CHECK(paid.str("status") == "succeeded");
    CHECK(amount(paid.json().at("amount")) == 4498);
    CHECK(paid.json().at("card").at("brand").as_string() == "visa");
    shop.settle();

    CHECK(ann.get("/api/v1/orders/" + order_id).str("status") == "confirmed");
    auto sold = stock(admin, "TEE-M");
    CHECK(sold.at("on_hand").as_int64() == 3);
    CHECK(sold.at("reserved").as_int64() == 0);
    CHECK(sold.at("sold").as_int64() == 2);
    CHECK(sold.at("available").as_int64() == 3);
    CHECK(ann.get("/api/v1/inventory/TEE-M").json().at("available").as_int64() == 3);

    // Registration mailed a welcome and a verification link; the order, its receipt and one confirmation.
    std::vector<std::string> confirmations;
    for (auto& f : mails(shop))
        if (auto text = read_file(f); text.find("is confirmed") != std::string::npos) confirmations.push_back(text);
    REQUIRE(confirmations.size() == 1);
    auto mail = confirmations[0];
    CHECK(mail.find("To: ann@example.com") != std::string::npos);
    CHECK(mail.find("Total:    USD 44.98") != std::string::npos);
    CHECK(mail.find("#1001") != std::string::npos);
    auto outbox = admin.get("/api/v1/admin/notifications?status=sent");
    REQUIRE(outbox.status == 200);
    auto sent = outbox.json().at("data").as_array();
    REQUIRE(sent.size() == 4);
    std::map<std::string, std::string> by_template;
    for (auto& m : sent) by_template[std::string(m.at("template_key").as_string())] = std::string(m.at("recipient").as_string());
    CHECK(by_template["order_confirmation"] == "ann@example.com");
    CHECK(by_template["order_placed"] == "ann@example.com");
    CHECK(by_template["email_verification"] == "ann@example.com");
    CHECK(by_template["welcome"] == "ann@example.com");
    CHECK(admin.get("/api/v1/admin/notifications?status=failed").json().at("data").as_array().empty());

    // Paying again is refused: never a double charge.
    auto twice = ann.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", card_token(ann, "4242424242424242")}});
    CHECK(twice.status == 409);
    CHECK(twice.str("code") == "order_already_paid");

    auto history = ann.get("/api/v1/orders/" + order_id + "/history");
    CHECK(history.json().at("history").as_array().size() == 3);  // placed, payment failed, confirmed

    // The trace of the checkout request shows the saga across modules.
    auto trace = admin.get("/api/v1/admin/traces/" + paid.header("x-request-id"));
    REQUIRE(trace.status == 200);
    std::string t = trace.body;
    CHECK(t.find("payment.payment_authorized.v1") != std::string::npos);
    CHECK(t.find("ordering.order_confirmed.v1") != std::string::npos);
    CHECK(t.find("notification.order_events") != std::string::npos);
}

TEST_CASE("a customer asking for another customer's order, cart or payment gets 404") {
    TestShop shop;
    shop.product("MUG", 1500, 10);
    auto ann = shop.customer("ann@example.com");
    auto bob = shop.customer("bob@example.com");
    auto cart_id = make_cart(ann, "MUG", 1);
    auto order_id = checkout(ann, cart_id).str("id");
    auto pay = ann.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", card_token(ann, "4242424242424242")}});
    REQUIRE(pay.status == 201);

    CHECK(bob.get("/api/v1/orders/" + order_id).status == 404);
    CHECK(bob.get("/api/v1/orders/" + order_id + "/history").status == 404);
    CHECK(bob.get("/api/v1/carts/" + cart_id).status == 404);
    CHECK(bob.get("/api/v1/payments/" + pay.str("id")).status == 404);
    CHECK(bob.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", card_token(bob, "4242424242424242")}}).status == 404);
    auto anonymous = shop.client();
    CHECK(anonymous.get("/api/v1/orders/" + order_id).status == 404);
    CHECK(bob.get("/api/v1/orders").json().at("data").as_array().empty());
    CHECK(ann.get("/api/v1/orders").json().at("data").as_array().size() == 1);
    CHECK(shop.admin().get("/api/v1/orders/" + order_id).status == 200);
}

// The races below run against two instances sharing the database on PostgreSQL (peer_port()),
// alternating buyers between them; with SQLite, which one process serves, both are the same.
TEST_CASE("two buyers racing for the last unit: exactly one order, the other gets out_of_stock") {
    TestShop shop;
    std::vector<HttpClient> buyers;
    for (int i = 0; i < 6; ++i) buyers.push_back(shop.customer("buyer" + std::to_string(i) + "@example.com"));
    std::uint16_t ports[2] = {shop.port(), shop.peer_port()};
    // Several rounds, each for a fresh last unit: one lucky interleaving must not hide a lost race.
    for (int round = 0; round < 4; ++round) {
        CAPTURE(round);
        std::string sku = "LAST-ONE-" + std::to_string(round);
        shop.product(sku, 9900, 1);
        std::vector<std::string> carts;
        for (auto& b : buyers) carts.push_back(make_cart(b, sku, 1));
        std::vector<int> statuses(buyers.size());
        std::vector<std::string> codes(buyers.size());
        std::vector<std::thread> threads;
        std::atomic<bool> go{false};
        for (std::size_t i = 0; i < buyers.size(); ++i)
            threads.emplace_back([&, i] {
                auto buyer = buyers[i].on(ports[(i + round) % 2]);
                while (!go) std::this_thread::yield();
                auto r = checkout(buyer, carts[i]);
                statuses[i] = r.status;
                if (r.status != 201) codes[i] = r.str("code");
            });
        go = true;
        for (auto& t : threads) t.join();
        int won = 0;
        for (std::size_t i = 0; i < statuses.size(); ++i) {
            if (statuses[i] == 201) ++won;
            else {
                CHECK(statuses[i] == 409);
                CHECK(codes[i] == "out_of_stock");
            }
        }
        CHECK(won == 1);
        auto s = stock(shop.admin(), sku);
        CHECK(s.at("reserved").as_int64() == 1);
        CHECK(s.at("available").as_int64() == 0);
    }
}

TEST_CASE("a payment retried concurrently charges once") {
    TestShop shop;
    shop.product("LAMP", 4000, 3);
    auto ann = shop.customer("ann@example.com");
    auto order_id = checkout(ann, make_cart(ann, "LAMP", 1)).str("id");
    auto token = card_token(ann, "4242424242424242");
    std::vector<int> statuses(8);
    std::vector<std::thread> threads;
    // Each retry is the same client request (same token, same order) on its own connection.
    auto login = shop.client().post("/api/v1/auth/login", json::object{{"email", "ann@example.com"}, {"password", "a-long-enough-passphrase"}});
    std::string bearer = "Bearer " + login.str("access_token");
    std::atomic<bool> go{false};
    std::uint16_t ports[2] = {shop.port(), shop.peer_port()};
    for (std::size_t i = 0; i < statuses.size(); ++i)
        threads.emplace_back([&, i] {
            HttpClient c(ports[i % 2]);
            c.set_header("Authorization", bearer);
            while (!go) std::this_thread::yield();
            statuses[i] = c.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", token}}).status;
        });
    go = true;
    for (auto& t : threads) t.join();
    int created = 0;
    for (int s : statuses) {
        if (s == 201) ++created;
        else CHECK(s == 409);
    }
    CHECK(created == 1);
    shop.settle();
    auto payments = ann.get("/api/v1/orders/" + order_id + "/payments").json().at("data").as_array();
    int succeeded = 0;
    for (auto& p : payments) succeeded += p.at("status").as_string() == "succeeded";
    CHECK(succeeded == 1);
    CHECK(stock(shop.admin(), "LAMP").at("sold").as_int64() == 1);
}

TEST_CASE("a crash between charging and recording resumes on restart: the order is confirmed once") {
    TempDir dir;
    std::string order_id;
    {
        TestShop shop(dir);
        shop.product("BOOT", 12000, 2);
        auto ann = shop.customer("ann@example.com");
        order_id = checkout(ann, make_cart(ann, "BOOT", 1)).str("id");
        auto token = card_token(ann, "4242424242424242");
        // The process dies after the intent was written `processing` and before the provider's
        // answer was recorded: reproduce exactly that state.
        Ctx ctx = Ctx::system("crash-test");
        shop.app().database().write("payment", ctx, [&](db::Tx& tx) {
            tx.exec("INSERT INTO payment.intents (id, order_id, amount, currency, status, provider, payment_method, "
                    "card_brand, card_last4, created_at, updated_at) VALUES (?, ?, 12500, 'USD', 'processing', "
                    "'sandbox', ?, 'visa', '4242', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                    new_id("pay"), order_id, token);
        });
        auto retry = ann.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", token}});
        CHECK(retry.status == 409);  // in flight: a retry must not charge twice
        CHECK(retry.str("code") == "payment_in_progress");
    }
    TestShop restarted(dir);
    restarted.settle();
    auto admin = restarted.admin();
    auto order = admin.get("/api/v1/orders/" + order_id);
    CHECK(order.str("status") == "confirmed");
    auto payments = admin.get("/api/v1/orders/" + order_id + "/payments").json().at("data").as_array();
    REQUIRE(payments.size() == 1);
    CHECK(payments[0].at("status").as_string() == "succeeded");
    CHECK(stock(admin, "BOOT").at("sold").as_int64() == 1);
}

TEST_CASE("an unpaid order is cancelled when its reservation expires, and its stock returns") {
    TestShop shop(Overrides{{"inventory.reservation_ttl_s", "1"}});
    shop.product("SCARF", 2500, 1);
    auto ann = shop.customer("ann@example.com");
    auto order_id = checkout(ann, make_cart(ann, "SCARF", 1)).str("id");
    CHECK(ann.get("/api/v1/inventory/SCARF").json().at("available").as_int64() == 0);
    std::string status;
    for (int i = 0; i < 100 && status != "cancelled"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        status = ann.get("/api/v1/orders/" + order_id).str("status");
    }
    CHECK(status == "cancelled");
    CHECK(ann.get("/api/v1/inventory/SCARF").json().at("available").as_int64() == 1);
    auto pay = ann.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", card_token(ann, "4242424242424242")}});
    CHECK(pay.status == 409);
    CHECK(pay.str("code") == "order_not_payable");
}

TEST_CASE("a payment that succeeds after its order was cancelled is refunded, and the order stays cancelled") {
    TestShop shop(Overrides{{"inventory.reservation_ttl_s", "1"}});
    shop.product("HAT", 3000, 1);
    auto ann = shop.customer("ann@example.com");
    auto order_id = checkout(ann, make_cart(ann, "HAT", 1)).str("id");
    std::string status;
    for (int i = 0; i < 100 && status != "cancelled"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        status = ann.get("/api/v1/orders/" + order_id).str("status");
    }
    REQUIRE(status == "cancelled");
    // The provider's success arrives after the cancellation (a payment in flight while the
    // reservation expired): record it exactly as the payment module does, the sandbox provider's
    // books included (the refund goes to the provider).
    std::string late_id = new_id("pay"), charge_id = new_id("sbx");
    shop.app().database().write("payment", Ctx::system("late-payment"), [&](db::Tx& tx) {
        tx.exec("INSERT INTO payment.sandbox_charges (id, idempotency_key, amount, currency, capture_method, status, amount_captured, "
                "created_at, updated_at) VALUES (?, ?, 3500, 'USD', 'automatic', 'succeeded', 3500, '2026-01-01T00:00:00.000Z', "
                "'2026-01-01T00:00:00.000Z')",
                charge_id, late_id);
        tx.exec("INSERT INTO payment.intents (id, order_id, amount, currency, status, provider, provider_ref, amount_captured, payment_method, "
                "card_brand, card_last4, created_at, updated_at) VALUES (?, ?, 3500, 'USD', 'succeeded', 'sandbox', ?, 3500, 'tok_x', "
                "'visa', '4242', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                late_id, order_id, charge_id);
        tx.publish(payment::events::PaymentAuthorized{late_id, order_id, 3500, "USD", "sandbox", "visa", "4242", true});
    });
    shop.settle();
    auto admin = shop.admin();
    CHECK(admin.get("/api/v1/orders/" + order_id).str("status") == "cancelled");
    auto payment = admin.get("/api/v1/payments/" + late_id);
    REQUIRE(payment.status == 200);
    CHECK(amount(payment.json().at("amount_refunded")) == 3500);
    CHECK(stock(admin, "HAT").at("sold").as_int64() == 0);
}

TEST_CASE("a capture that settles after its order was cancelled is refunded, and the order stays cancelled") {
    TestShop shop(Overrides{{"payment.capture", "manual"}});
    shop.product("GLOVE", 3000, 2);
    auto ann = shop.customer("ann@example.com");
    auto admin = shop.admin();
    auto order_id = checkout(ann, make_cart(ann, "GLOVE", 1)).str("id");
    auto paid = ann.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", card_token(ann, "4242424242424242")}});
    REQUIRE(paid.str("status") == "requires_capture");
    std::string id = paid.str("id");
    shop.settle();
    // An admin's capture is under way (written pending, not yet at the provider) when the customer
    // cancels: the cancellation can neither void it nor refund it yet.
    shop.app().database().write("payment", Ctx::system("capture-under-way"), [&](db::Tx& tx) {
        tx.exec("INSERT INTO payment.operations (id, intent_id, kind, amount, status, created_at) VALUES (?, ?, 'capture', 3500, 'pending', ?)",
                new_id("cap"), id, now_iso8601());
    });
    REQUIRE(ann.post("/api/v1/orders/" + order_id + "/cancel", json::object{}).status == 200);
    shop.settle();  // also carries the pending capture out (after the cancellation's handler)
    CHECK(admin.get("/api/v1/orders/" + order_id).str("status") == "cancelled");
    auto payment = admin.get("/api/v1/payments/" + id).json();
    CHECK(payment.at("status").as_string() == "succeeded");
    CHECK(amount(payment.at("amount_captured")) == 3500);
    CHECK(amount(payment.at("amount_refunded")) == 3500);  // given back once the capture settled
    CHECK(stock(admin, "GLOVE").at("sold").as_int64() == 0);
}

TEST_CASE("a guest checks out with the cart token and only that token sees the order") {
    TestShop shop;
    shop.product("BOTTLE", 2900, 4);
    auto guest = shop.client();
    std::string token;
    auto cart_id = make_cart(guest, "BOTTLE", 1, &token);
    auto no_email = checkout(guest, cart_id);
    CHECK(no_email.status == 422);
    auto placed = checkout(guest, cart_id, "", "guest@example.com");
    REQUIRE_MESSAGE(placed.status == 201, placed.body);
    auto order_id = placed.str("id");
    CHECK(guest.get("/api/v1/orders/" + order_id).status == 200);
    auto stranger = shop.client();
    CHECK(stranger.get("/api/v1/orders/" + order_id).status == 404);
    stranger.set_header("X-Cart-Token", "not-the-token");
    CHECK(stranger.get("/api/v1/orders/" + order_id).status == 404);
    auto paid = guest.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", card_token(guest, "4242424242424242")}});
    CHECK(paid.status == 201);
    shop.settle();
    CHECK(guest.get("/api/v1/orders/" + order_id).str("status") == "confirmed");
    // The cart was closed by the order_placed event.
    CHECK(guest.get("/api/v1/carts/" + cart_id).str("status") == "converted");
    CHECK(checkout(guest, cart_id, "", "guest@example.com").status == 409);
}

TEST_CASE("cart rules: unknown SKU is 422, more than available is 409 out_of_stock") {
    TestShop shop;
    shop.product("SOCK", 500, 3);
    auto ann = shop.customer("ann@example.com");
    auto cart = ann.post("/api/v1/carts", json::object{}).str("id");
    auto unknown = ann.post("/api/v1/carts/" + cart + "/items", json::object{{"sku", "NOPE"}, {"quantity", 1}});
    CHECK(unknown.status == 422);
    CHECK(unknown.json().at("errors").at(0).at("field").as_string() == "sku");
    auto too_many = ann.post("/api/v1/carts/" + cart + "/items", json::object{{"sku", "SOCK"}, {"quantity", 4}});
    CHECK(too_many.status == 409);
    CHECK(too_many.str("code") == "out_of_stock");
    auto bad_qty = ann.post("/api/v1/carts/" + cart + "/items", json::object{{"sku", "SOCK"}, {"quantity", 0}});
    CHECK(bad_qty.status == 422);
    auto empty = checkout(ann, cart);
    CHECK(empty.status == 422);
    CHECK(empty.str("code") == "cart_empty");
}

TEST_CASE("amounts and timestamps beyond 32 bits survive every read") {
    TestShop shop;
    const std::int64_t price = 5'000'000'000;  // USD 50 million: more than 2^31 minor units
    shop.product("YACHT", price, 2);
    auto ann = shop.customer("ann@example.com");
    auto detail = ann.get("/api/v1/products?limit=1").json().at("data").at(0);
    CHECK(amount(detail.at("variants").at(0).at("price")) == price);
    auto cart_id = make_cart(ann, "YACHT", 2);
    CHECK(amount(ann.get("/api/v1/carts/" + cart_id).json().at("subtotal")) == 2 * price);
    auto order = checkout(ann, cart_id);
    REQUIRE(order.status == 201);
    CHECK(amount(order.json().at("total")) == 2 * price + 500);
    // payable_until is a millisecond timestamp: read back whole, the order stays payable.
    auto paid = ann.post("/api/v1/payments", json::object{{"order_id", order.str("id")}, {"payment_method", card_token(ann, "4242424242424242")}});
    REQUIRE_MESSAGE(paid.status == 201, paid.body);
    CHECK(amount(paid.json().at("amount")) == 2 * price + 500);
    shop.settle();
    CHECK(ann.get("/api/v1/orders/" + order.str("id")).str("status") == "confirmed");
}

TEST_CASE("stock cannot be set below what unpaid orders hold") {
    TestShop shop;
    shop.product("PEN", 300, 5);
    auto ann = shop.customer("ann@example.com");
    REQUIRE(checkout(ann, make_cart(ann, "PEN", 3)).status == 201);
    auto admin = shop.admin();
    auto low = admin.put("/api/v1/admin/inventory/PEN", json::object{{"warehouse", "main"}, {"on_hand", 2}});
    CHECK(low.status == 409);
    CHECK(low.json().at("errors").at(0).at("field").as_string() == "on_hand");
    CHECK(admin.put("/api/v1/admin/inventory/PEN", json::object{{"warehouse", "main"}, {"on_hand", 3}}).status == 200);
    CHECK(admin.put("/api/v1/admin/inventory/PEN", json::object{{"warehouse", "nowhere"}, {"on_hand", 3}}).status == 422);
}

TEST_CASE("a guest email that could break a mail header is refused") {
    TestShop shop;
    shop.product("CAP", 1000, 2);
    auto guest = shop.client();
    std::string token;
    auto cart_id = make_cart(guest, "CAP", 1, &token);
    auto r = checkout(guest, cart_id, "", "a@b.co\r\nBcc: victim@example.com");
    CHECK(r.status == 422);
    CHECK(r.json().at("errors").at(0).at("field").as_string() == "email");
}

TEST_CASE("secrets are never kept for Idempotency-Key replay, other POSTs are") {
    TestShop shop;
    auto c = shop.client();
    auto reg = c.post("/api/v1/auth/register", json::object{{"email", "kim@example.com"}, {"password", "a-long-enough-passphrase"}, {"name", "Kim"}},
                      {{"Idempotency-Key", "reg-1"}});
    REQUIRE(reg.status == 201);
    auto login = c.post("/api/v1/auth/login", json::object{{"email", "kim@example.com"}, {"password", "a-long-enough-passphrase"}},
                        {{"Idempotency-Key", "login-1"}});
    REQUIRE(login.status == 200);
    auto card = c.post("/api/v1/payments/sandbox/tokens", json::object{{"number", "4242424242424242"}, {"exp_month", 1}, {"exp_year", 2099}, {"cvc", "123"}},
                       {{"Idempotency-Key", "card-1"}});
    REQUIRE(card.status == 201);
    auto cart = c.post("/api/v1/carts", json::object{}, {{"Idempotency-Key", "cart-1"}});
    REQUIRE(cart.status == 201);
    CHECK(c.post("/api/v1/carts", json::object{}, {{"Idempotency-Key", "cart-1"}}).str("id") == cart.str("id"));
    // The replay of a guest cart's creation gives a new token (the old one was never stored).
    auto replayed = c.post("/api/v1/carts", json::object{}, {{"Idempotency-Key", "cart-1"}});
    CHECK(replayed.header("idempotent-replayed") == "true");
    CHECK(replayed.str("token") != cart.str("token"));
    CHECK(c.get("/api/v1/carts/" + cart.str("id"), {{"X-Cart-Token", cart.str("token")}}).status == 404);
    CHECK(c.get("/api/v1/carts/" + cart.str("id"), {{"X-Cart-Token", replayed.str("token")}}).status == 200);
    std::int64_t stored = 0, with_secret = 0;
    shop.app().database().read([&](db::Reader& r) {
        for (auto schema : {"identity", "catalog", "search", "cart", "inventory", "ordering", "payment", "notification"}) {
            stored += r.count(std::string("SELECT COUNT(*) FROM ") + schema + ".idempotency_keys");
            with_secret += r.count(std::string("SELECT COUNT(*) FROM ") + schema +
                                   ".idempotency_keys WHERE body LIKE '%access_token%' OR body LIKE '%refresh_token%' "
                                   "OR body LIKE ? OR body LIKE ? OR key IN ('reg-1', 'login-1', 'card-1')",
                                   "%" + cart.str("token") + "%", "%" + replayed.str("token") + "%");
        }
    });
    CHECK(stored == 1);  // the cart's reply, in the cart schema
    CHECK(with_secret == 0);
}

TEST_CASE("an online backup while serving is a consistent, openable copy" * doctest::skip(on_postgresql())) {  // pg_dump's job there
    TestShop shop;
    shop.product("KEY", 700, 3);
    auto ann = shop.customer("ann@example.com");
    auto order_id = checkout(ann, make_cart(ann, "KEY", 1)).str("id");
    shop.settle();
    TempDir backup;
    shop.app().database().backup_to(backup.path());
    db::Database copy(db::Options{
        .dir = backup.path(), .schemas = {"identity", "catalog", "search", "cart", "inventory", "ordering", "payment", "notification"}});
    std::string status;
    std::int64_t reserved = 0, outbox = 0, cart_position = 0;
    copy.read([&](db::Reader& r) {
        status = r.one("SELECT status FROM ordering.orders WHERE id = ?", order_id)->str(0);
        reserved = r.count("SELECT COALESCE(SUM(quantity), 0) FROM inventory.reservations WHERE reference = ?", order_id);
        outbox = r.count("SELECT COALESCE(MAX(seq), 0) FROM ordering.outbox");
        cart_position = r.count("SELECT position FROM cart.inbox_positions WHERE consumer = 'cart.order_events'");
    });
    CHECK(status == "pending_payment");
    CHECK(reserved == 1);
    CHECK(cart_position <= outbox);  // a consumer is never copied ahead of the outbox it reads
}

TEST_CASE("identity: register, login, me, refresh rotation with reuse detection, admin bootstrap") {
    TestShop shop;
    auto c = shop.client();
    auto weak = c.post("/api/v1/auth/register", json::object{{"email", "x@example.com"}, {"password", "short"}, {"name", "X"}});
    CHECK(weak.status == 422);
    CHECK(weak.json().at("errors").at(0).at("field").as_string() == "password");
    auto reg = c.post("/api/v1/auth/register", json::object{{"email", "Zoe@Example.com"}, {"password", "a-long-enough-passphrase"}, {"name", "Zoe"}});
    REQUIRE(reg.status == 201);
    CHECK(reg.str("token_type") == "Bearer");
    CHECK(reg.json().at("expires_in").as_int64() == 900);
    auto taken = c.post("/api/v1/auth/register", json::object{{"email", "zoe@example.com"}, {"password", "a-long-enough-passphrase"}, {"name", "Zoe"}});
    CHECK(taken.status == 409);
    CHECK(c.post("/api/v1/auth/login", json::object{{"email", "zoe@example.com"}, {"password", "wrong-password!"}}).status == 401);
    auto login = c.post("/api/v1/auth/login", json::object{{"email", "zoe@example.com"}, {"password", "a-long-enough-passphrase"}});
    REQUIRE(login.status == 200);
    auto me = c.get("/api/v1/me", {{"Authorization", "Bearer " + login.str("access_token")}});
    CHECK(me.status == 200);
    CHECK(me.str("email") == "zoe@example.com");
    CHECK(me.str("role") == "customer");
    CHECK(c.get("/api/v1/me").status == 401);

    auto r1 = login.str("refresh_token");
    auto rotated = c.post("/api/v1/auth/refresh", json::object{{"refresh_token", r1}});
    REQUIRE(rotated.status == 200);
    auto r2 = rotated.str("refresh_token");
    CHECK(r2 != r1);
    CHECK(c.post("/api/v1/auth/refresh", json::object{{"refresh_token", r1}}).status == 401);  // reuse
    CHECK(c.post("/api/v1/auth/refresh", json::object{{"refresh_token", r2}}).status == 401);  // whole family revoked

    auto jwks = c.get("/.well-known/jwks.json");
    CHECK(jwks.json().at("keys").at(0).at("crv").as_string() == "Ed25519");

    auto admin = shop.admin();
    CHECK(admin.get("/api/v1/me").str("role") == "admin");
    auto customer = shop.customer("cust@example.com");
    CHECK(customer.get("/api/v1/admin/events").status == 403);
    CHECK(customer.post("/api/v1/products", json::object{{"title", "x"}}).status == 403);
}

TEST_CASE("catalog, search and platform endpoints over HTTP") {
    TestShop shop(Overrides{}, true);
    shop.settle();
    auto c = shop.client();
    auto list = c.get("/api/v1/products?limit=3");
    REQUIRE(list.status == 200);
    auto data = list.json().at("data").as_array();
    CHECK(data.size() == 3);
    auto next = list.json().at("next_cursor");
    REQUIRE(next.is_string());
    auto page2 = c.get("/api/v1/products?limit=20&cursor=" + std::string(next.as_string()));
    CHECK(page2.json().at("data").as_array().size() == 5);  // 8 demo products
    CHECK(c.get("/api/v1/products?limit=500").status == 422);

    std::string slug(data[0].at("slug").as_string());
    auto detail = c.get("/api/v1/products/" + slug);
    REQUIRE(detail.status == 200);
    auto etag = detail.header("etag");
    CHECK_FALSE(etag.empty());
    CHECK(c.get("/api/v1/products/" + slug, {{"If-None-Match", etag}}).status == 304);
    auto eur = c.get("/api/v1/products/" + slug + "?currency=EUR");
    CHECK(eur.json().at("variants").at(0).at("price").at("currency").as_string() == "EUR");

    auto hits = c.get("/api/v1/search?q=yoga");
    REQUIRE(hits.status == 200);
    CHECK(hits.json().at("total").as_int64() == 1);
    CHECK(hits.json().at("data").at(0).at("slug").as_string() == "yoga-mat");
    CHECK(hits.json().at("facets").as_object().contains("price"));
    CHECK(c.get("/api/v1/search?q=headph").json().at("total").as_int64() == 1);  // prefix
    CHECK(c.get("/api/v1/search").status == 422);

    // A product created now becomes searchable through the catalog event.
    shop.product("NEW-1", 100, 1);
    shop.settle();
    CHECK(c.get("/api/v1/search?q=NEW").json().at("total").as_int64() >= 1);

    auto metrics = c.get("/metrics");
    CHECK(metrics.body.find("shop_http_requests_total") != std::string::npos);
    CHECK(metrics.body.find("shop_bus_lag_events{consumer=\"search.catalog_events\"") != std::string::npos);
    auto openapi = c.get("/openapi.json");
    auto paths = openapi.json().at("paths").as_object();
    CHECK(paths.contains("/api/v1/checkout"));
    CHECK(paths.contains("/api/v1/payments/sandbox/tokens"));
    CHECK(c.get("/readyz").status == 200);
    auto events = shop.admin().get("/api/v1/admin/events");
    CHECK(events.status == 200);
    CHECK(events.json().at("consumers").as_array().size() >= 6);
}

TEST_CASE("HTTP limits over a real socket: oversized bodies are 413, keep-alive serves many requests") {
    TestShop shop(Overrides{{"http.body_limit", "1024"}});
    auto c = shop.client();
    std::string big(4096, 'x');
    auto r = c.request("POST", "/api/v1/auth/login", "{\"email\":\"" + big + "\"}");
    CHECK(r.status == 413);
    CHECK(r.str("code") == "payload_too_large");
    auto c2 = shop.client();
    for (int i = 0; i < 50; ++i) CHECK(c2.get("/healthz").status == 200);
}
