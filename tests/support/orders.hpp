#pragma once
// Steps integration tests of orders share: a test address, a sandbox card token, an order placed
// from a fresh cart, a line of an order, the mails sent, the first field of a 422.
#include <boost/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "support/test_shop.hpp"

namespace shop::test {

/// A valid US shipping address.
boost::json::object address();
/// A sandbox token for a test card number (Stripe's test numbers decide the outcome).
std::string card_token(HttpClient& c, const std::string& number);
/// Places an order of `items` (sku, quantity) for the signed-in customer; returns it as placed.
boost::json::object place(HttpClient& c, const std::vector<std::pair<std::string, int>>& items);
/// The line id of `sku` in an order reply.
std::string line_of(const boost::json::object& order, const std::string& sku);
/// How many sent mails contain `needle`.
int mails_with(const TestShop& shop, const std::string& needle);
/// The text of a sent mail that contains `needle` ("" when none does).
std::string mail_with(const TestShop& shop, const std::string& needle);
/// Places an order of one `sku` for the signed-in customer and pays it with the 4242 test card;
/// returns the order id.
std::string pay_order(HttpClient& c, const std::string& sku);
/// The first `errors[].field` of a problem reply.
std::string first_field(const HttpResult& r);

}  // namespace shop::test
