#include "support/orders.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace shop::test {

namespace json = boost::json;

json::object address() {
    return {{"name", "Ann Buyer"}, {"line1", "1 Main Street"}, {"city", "Springfield"}, {"postal_code", "12345"}, {"country", "US"}};
}

std::string card_token(HttpClient& c, const std::string& number) {
    auto r = c.post("/api/v1/payments/sandbox/tokens", json::object{{"number", number}, {"exp_month", 12}, {"exp_year", 2099}, {"cvc", "123"}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.str("token");
}

json::object place(HttpClient& c, const std::vector<std::pair<std::string, int>>& items) {
    auto cart = c.post("/api/v1/carts", json::object{});
    REQUIRE(cart.status == 201);
    std::string id = cart.str("id");
    for (auto& [sku, quantity] : items)
        REQUIRE(c.post("/api/v1/carts/" + id + "/items", json::object{{"sku", sku}, {"quantity", quantity}}).status == 201);
    auto order = c.post("/api/v1/checkout", json::object{{"cart_id", id}, {"shipping_address", address()}, {"shipping_method", "standard"}});
    REQUIRE_MESSAGE(order.status == 201, order.body);
    return order.json().as_object();
}

std::string line_of(const json::object& order, const std::string& sku) {
    for (auto& l : order.at("lines").as_array())
        if (l.at("sku").as_string() == sku) return std::string(l.at("id").as_string());
    FAIL("no line for " << sku);
    return {};
}

namespace {
/// The sent mails (.eml files of the outbox), each as text.
std::vector<std::string> sent_mails(const TestShop& shop) {
    std::vector<std::string> out;
    auto dir = shop.dir() / "mail" / "outbox";
    if (!std::filesystem::exists(dir)) return out;
    for (auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() != ".eml") continue;
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        out.push_back(ss.str());
    }
    return out;
}
}  // namespace

int mails_with(const TestShop& shop, const std::string& needle) {
    int n = 0;
    for (auto& m : sent_mails(shop))
        if (m.find(needle) != std::string::npos) ++n;
    return n;
}

std::string mail_with(const TestShop& shop, const std::string& needle) {
    for (auto& m : sent_mails(shop))
        if (m.find(needle) != std::string::npos) return m;
    return "";
}

std::string pay_order(HttpClient& c, const std::string& sku) {
    auto order = place(c, {{sku, 1}});
    std::string id(order.at("id").as_string());
    auto paid = c.post("/api/v1/payments", boost::json::object{{"order_id", id}, {"payment_method", card_token(c, "4242424242424242")}});
    REQUIRE_MESSAGE(paid.status == 201, paid.body);
    return id;
}

std::string first_field(const HttpResult& r) { return std::string(r.json().at("errors").at(0).at("field").as_string()); }

}  // namespace shop::test
