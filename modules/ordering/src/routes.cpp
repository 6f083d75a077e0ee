// Thin HTTP handlers: the typed declarations of ordering's routes -> the service.
#include "ordering_service.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"

namespace shop::ordering {
using namespace shop::http;
using api::None;

void register_ordering_routes(Router& router, OrderingService& svc, std::string base_currency) {
    api::add<CheckoutRequest, None, Order>(
        router,
        {.method = Method::post, .path = "/api/v1/checkout", .id = "createCheckout",
         .summary = "Place an order from a cart: re-prices, reserves stock, creates the order pending_payment",
         .description = "Every line is priced again from the catalog; the stock is reserved until `payable_until`. Stock short: 409 "
                        "`out_of_stock`; a cart already checked out: 409 `cart_checked_out`.",
         .tag = "ordering", .status = 201, .errors = {404, 409}, .cart_token = true, .idempotency_schema = "ordering",
         .reply_headers = {"Location"}},
        [&svc](Request& req, CheckoutRequest& b, None&) {
            api::Out<Order> out(unwrap(svc.checkout(req.ctx(), b, req.cart_token())));
            out.headers.set("Location", "/api/v1/orders/" + out.body.id.value);
            return out;
        });

    api::add<None, ShippingMethodsQuery, ShippingMethods>(
        router,
        {.method = Method::get, .path = "/api/v1/checkout/shipping-methods", .id = "listShippingMethods",
         .summary = "Shipping methods and their prices", .tag = "ordering"},
        [&svc, base_currency](Request&, None&, ShippingMethodsQuery& q) {
            return svc.shipping_methods(q.currency ? q.currency->value : base_currency);
        });

    api::add<None, OrderListQuery, OrderPage>(
        router,
        {.method = Method::get, .path = "/api/v1/orders", .id = "listOrders", .summary = "My orders, newest first (admins: all, by status)",
         .tag = "ordering", .access = Access::user, .blocking = true},
        [&svc](Request& req, None&, OrderListQuery& q) {
            return svc.list_orders(req.ctx(), q.cursor ? q.cursor->value : "", q.limit ? static_cast<int>(q.limit->value) : 20,
                                   q.status ? q.status->value : "");
        });

    api::add<None, None, Order>(router,
                                {.method = Method::get, .path = "/api/v1/orders/{id}", .id = "getOrder",
                                 .summary = "An order (its customer, its guest, or an admin)", .tag = "ordering", .errors = {404},
                                 .cart_token = true},
                                [&svc](Request& req, None&, None&) { return unwrap(svc.get_order(req.ctx(), req.param("id"), req.cart_token())); });

    api::add<None, None, OrderHistory>(router,
                                       {.method = Method::get, .path = "/api/v1/orders/{id}/history", .id = "getOrderHistory",
                                        .summary = "Status history of an order", .tag = "ordering", .errors = {404}, .cart_token = true},
                                       [&svc](Request& req, None&, None&) {
                                           return unwrap(svc.history(req.ctx(), req.param("id"), req.cart_token()));
                                       });
}

}  // namespace shop::ordering
