// Thin HTTP handlers: the typed declarations of ordering's routes -> the service.
#include "ordering_service.hpp"
#include "pricing_wire.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"

namespace shop::ordering {
using namespace shop::http;
using api::None;

void register_pricing_routes(Router& router, PricingService& svc) {
    api::add<None, PageQuery, PromotionPage>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/promotions", .id = "listPromotions", .summary = "Promotions, newest first",
         .tag = "ordering", .access = Access::admin},
        [&svc](Request&, None&, PageQuery& q) {
            return svc.list_promotions(q.cursor ? q.cursor->value : "", q.limit ? static_cast<int>(q.limit->value) : 20);
        });
    api::add<PromotionRequest, None, PromotionOut>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/promotions", .id = "createPromotion", .summary = "Create a coupon or an automatic promotion",
         .description = "With a `code`, buyers apply it to their cart; without, it applies by itself when it is the best one. `percent` "
                        "for kind percent, `amount` for kind fixed (carts in its currency only). `usage_limit` counts orders placed "
                        "with it and not cancelled; `per_customer_limit` counts them per account (or guest email). `ends_at` is "
                        "exclusive. A taken code is 409.",
         .tag = "ordering", .access = Access::admin, .status = 201, .errors = {409}, .idempotency_schema = "ordering"},
        [&svc](Request& req, PromotionRequest& b, None&) { return unwrap(svc.create_promotion(req.ctx(), b)); });
    api::add<None, None, PromotionOut>(router,
                                       {.method = Method::get, .path = "/api/v1/admin/promotions/{id}", .id = "getPromotion",
                                        .summary = "A promotion and how often it was used", .tag = "ordering", .access = Access::admin,
                                        .errors = {404}},
                                       [&svc](Request& req, None&, None&) { return unwrap(svc.get_promotion(std::string(req.param("id")))); });
    api::add<PromotionPatch, None, PromotionOut>(
        router,
        {.method = Method::patch, .path = "/api/v1/admin/promotions/{id}", .id = "updatePromotion",
         .summary = "Change a promotion (its code and kind stay); `active: false` stops it", .tag = "ordering", .access = Access::admin,
         .errors = {404}},
        [&svc](Request& req, PromotionPatch& b, None&) { return unwrap(svc.patch_promotion(req.ctx(), std::string(req.param("id")), b)); });

    api::add<None, None, ShippingMethodAdminPage>(router,
                                                  {.method = Method::get, .path = "/api/v1/admin/shipping-methods", .id = "listAdminShippingMethods",
                                                   .summary = "Every shipping method with its rates", .tag = "ordering", .access = Access::admin},
                                                  [&svc](Request&, None&, None&) { return svc.list_shipping_methods(); });
    api::add<ShippingMethodRequest, None, ShippingMethodOut>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/shipping-methods", .id = "createShippingMethod",
         .summary = "Create a shipping method",
         .description = "`price` (and `free_over`, in the same currency) is its rate in one currency; `rates` adds others. A cart is "
                        "offered a method only in a currency it has a rate in. `countries` limits destinations (none = anywhere). "
                        "A taken code is 409.",
         .tag = "ordering", .access = Access::admin, .status = 201, .errors = {409}, .idempotency_schema = "ordering"},
        [&svc](Request& req, ShippingMethodRequest& b, None&) { return unwrap(svc.create_shipping_method(req.ctx(), b)); });
    api::add<ShippingMethodPatch, None, ShippingMethodOut>(
        router,
        {.method = Method::patch, .path = "/api/v1/admin/shipping-methods/{code}", .id = "updateShippingMethod",
         .summary = "Change a shipping method (`rates` replaces all its rates)", .tag = "ordering", .access = Access::admin, .errors = {404}},
        [&svc](Request& req, ShippingMethodPatch& b, None&) {
            return unwrap(svc.patch_shipping_method(req.ctx(), std::string(req.param("code")), b));
        });

    api::add<None, PageQuery, TaxRatePage>(router,
                                           {.method = Method::get, .path = "/api/v1/admin/tax-rates", .id = "listTaxRates",
                                            .summary = "Tax rates", .tag = "ordering", .access = Access::admin},
                                           [&svc](Request&, None&, PageQuery& q) {
                                               return svc.list_tax_rates(q.cursor ? q.cursor->value : "",
                                                                         q.limit ? static_cast<int>(q.limit->value) : 20);
                                           });
    api::add<TaxRateRequest, None, TaxRateOut>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/tax-rates", .id = "createTaxRate", .summary = "Add a tax rate",
         .description = "For a country, optionally one region (matched case-insensitively against the address's `region`; a region "
                        "rate wins over the country's), and a tax class (`standard` by default; `shipping` taxes shipping). One rate "
                        "per country, region and class: another is 409.",
         .tag = "ordering", .access = Access::admin, .status = 201, .errors = {409}, .idempotency_schema = "ordering"},
        [&svc](Request& req, TaxRateRequest& b, None&) { return unwrap(svc.create_tax_rate(req.ctx(), b)); });
    api::add<TaxRatePatch, None, TaxRateOut>(
        router,
        {.method = Method::patch, .path = "/api/v1/admin/tax-rates/{id}", .id = "updateTaxRate", .summary = "Change a tax rate",
         .tag = "ordering", .access = Access::admin, .errors = {404}},
        [&svc](Request& req, TaxRatePatch& b, None&) { return unwrap(svc.patch_tax_rate(req.ctx(), std::string(req.param("id")), b)); });
}

void register_ordering_routes(Router& router, OrderingService& svc) {
    api::add<CheckoutRequest, None, Order>(
        router,
        {.method = Method::post, .path = "/api/v1/checkout", .id = "createCheckout",
         .summary = "Place an order from a cart: re-prices, reserves stock, creates the order pending_payment",
         .description = "Every line is priced again from the catalog, then the promotion, shipping and tax are applied as by "
                        "`POST /checkout/quote`; the stock is reserved until `payable_until`. Stock short: 409 `out_of_stock`; a "
                        "cart already checked out: 409 `cart_checked_out`; the cart's coupon used up meanwhile: 409 "
                        "`coupon_unavailable`; an item no longer on sale: 404/409 naming `cart_id`.",
         .tag = "ordering", .status = 201, .errors = {404, 409}, .cart_token = true, .idempotency_schema = "ordering",
         .reply_headers = {"Location"}},
        [&svc](Request& req, CheckoutRequest& b, None&) {
            api::Out<Order> out(unwrap(svc.checkout(req.ctx(), b, req.cart_token())));
            out.headers.set("Location", "/api/v1/orders/" + out.body.id.value);
            return out;
        });

    api::add<None, CheckoutShippingQuery, ShippingMethods>(
        router,
        {.method = Method::get, .path = "/api/v1/checkout/shipping-methods", .id = "listShippingMethods",
         .summary = "The shipping methods for a cart, priced for it",
         .description = "The cart's owner only (others: 404). Methods with a price in the cart's currency that ship to `country` "
                        "(when given); `price_for_cart` is 0 when the discounted subtotal reaches `free_over` or a free-shipping "
                        "promotion applies.",
         .tag = "ordering", .errors = {404}, .cart_token = true},
        [&svc](Request& req, None&, CheckoutShippingQuery& q) {
            return unwrap(svc.shipping_methods(req.ctx(), q.cart_id.value, req.cart_token(), q.country ? q.country->value : ""));
        });

    api::add<QuoteRequest, None, Quote>(
        router,
        {.method = Method::post, .path = "/api/v1/checkout/quote", .id = "quoteCheckout",
         .summary = "What checkout would charge now: subtotal, discount, shipping, tax, total",
         .description = "The same arithmetic as checkout (one promotion, shipping by the method's rate in the cart's currency, tax "
                        "per line rounded half up by the destination's rates); nothing is reserved or written. A coupon that stopped "
                        "applying is 409 `coupon_unavailable`; an unusable method 422 naming `shipping_method`.",
         .tag = "ordering", .errors = {404, 409}, .cart_token = true},
        [&svc](Request& req, QuoteRequest& b, None&) { return unwrap(svc.quote(req.ctx(), b, req.cart_token())); });

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

    api::add<CancelRequest, None, Order>(
        router,
        {.method = Method::post, .path = "/api/v1/orders/{id}/cancel", .id = "cancelOrder", .summary = "Cancel an order before it ships",
         .description = "Its customer (or the guest holding the cart token) or an admin, while the order is pending_payment, confirmed or "
                        "processing; later is 409 `invalid_state`. The stock returns, the coupon use is given back, a payment "
                        "taken is refunded in full, and the customer is mailed. Cancelling a cancelled order answers it again.",
         .tag = "ordering", .errors = {404, 409}, .cart_token = true, .idempotency_schema = "ordering", .body_optional = true},
        [&svc](Request& req, CancelRequest& b, None&) {
            return unwrap(svc.cancel(req.ctx(), req.param("id"), req.cart_token(), b.reason ? b.reason->value : ""));
        });

    api::add<FulfilmentRequest, None, Order>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/orders/{id}/fulfilment", .id = "fulfilOrder",
         .summary = "Move an order along fulfilment: processing, shipped (a shipment), delivered",
         .description = "`processing`: a confirmed order is being prepared. `shipped`: creates a shipment with `carrier` and "
                        "`tracking_number` carrying `lines` (`line_id`, `quantity`) or, without `lines`, every unit not shipped "
                        "yet; from confirmed the order passes through processing; it stays processing until every unit has "
                        "shipped, then becomes shipped. More than is left of a line is 422 naming `lines[i].quantity`; a line "
                        "not of this order 422 naming `lines[i].line_id`. `delivered`: with `shipment_id` that shipment "
                        "(the order is delivered with its last one, once all has shipped), without it the whole shipped order. "
                        "A step the order's status does not allow is 409 `invalid_state`. Each step is mailed to the customer "
                        "(shipped with carrier and tracking number, delivered).",
         .tag = "ordering", .access = Access::admin, .errors = {404, 409}, .idempotency_schema = "ordering"},
        [&svc](Request& req, FulfilmentRequest& b, None&) { return unwrap(svc.fulfil(req.ctx(), req.param("id"), b)); });

    api::add<RefundRequest, None, OrderRefund>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/orders/{id}/refunds", .id = "refundOrder",
         .summary = "Refund part or all of an order (admin), optionally restocking units",
         .description = "`amount` in minor units of the order's currency, or absent for all that is left of what was captured; "
                        "never more than captured in total, concurrent refunds included: more is 422 naming `amount`, nothing "
                        "left 409 `invalid_state`. An order not paid (pending_payment), cancelled or refunded is 409 "
                        "`invalid_state`. `restock: true` puts units back in stock: `lines` (`line_id`, `quantity`) or every unit "
                        "not restocked yet. The refund is `pending` until payment has given the money back; then the order "
                        "becomes `refunded` (all captured refunded) or, once delivered, `partially_refunded`, and the customer is "
                        "mailed.",
         .tag = "ordering", .access = Access::admin, .status = 201, .errors = {404, 409}, .idempotency_schema = "ordering"},
        [&svc](Request& req, RefundRequest& b, None&) { return unwrap(svc.refund(req.ctx(), req.param("id"), b)); });

    api::add<ReturnRequest, None, ReturnOut>(
        router,
        {.method = Method::post, .path = "/api/v1/orders/{id}/returns", .id = "requestReturn",
         .summary = "Ask to return delivered units (the order's customer or guest)",
         .description = "Only for a delivered (or partially refunded) order: otherwise 409 `invalid_state`. Each line at most what "
                        "was delivered and not in another return (422 naming `lines[i].quantity`). The shop approves or rejects "
                        "it, then receives the parcel: the returned lines' share of what was paid is refunded.",
         .tag = "ordering", .status = 201, .errors = {404, 409}, .cart_token = true, .idempotency_schema = "ordering"},
        [&svc](Request& req, ReturnRequest& b, None&) { return unwrap(svc.request_return(req.ctx(), req.param("id"), req.cart_token(), b)); });

    api::add<None, ReturnListQuery, ReturnPage>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/returns", .id = "listReturns", .summary = "Returns, newest first (admin)",
         .tag = "ordering", .access = Access::admin},
        [&svc](Request&, None&, ReturnListQuery& q) { return svc.list_returns(q); });

    struct Step {
        const char* to;
        const char* path;
        const char* id;
        const char* summary;
        const char* description;
    };
    static constexpr Step kSteps[] = {
        {"approved", "/api/v1/admin/returns/{id}/approve", "approveReturn", "Approve a requested return (admin)",
         "The customer may send the units. Only a requested return: otherwise 409 `invalid_state`."},
        {"rejected", "/api/v1/admin/returns/{id}/reject", "rejectReturn", "Reject a return (admin)",
         "A requested or approved return; its units can be asked for again in another return. `note` tells the customer why."},
        {"received", "/api/v1/admin/returns/{id}/receive", "receiveReturn", "Receive an approved return (admin): refund and restock",
         "The returned lines' share of what was paid for goods (discount and tax shared out by line value, shipping not "
         "included; never more than is left of what was captured) is refunded, and the units go back in stock unless "
         "`restock` is false. Only an approved return: otherwise 409 `invalid_state`."},
    };
    for (const auto& step : kSteps)
        api::add<ReturnDecision, None, ReturnOut>(
            router,
            {.method = Method::post, .path = step.path, .id = step.id, .summary = step.summary, .description = step.description,
             .tag = "ordering", .access = Access::admin, .errors = {404, 409}, .idempotency_schema = "ordering", .body_optional = true},
            [&svc, to = std::string(step.to)](Request& req, ReturnDecision& b, None&) {
                return unwrap(svc.decide_return(req.ctx(), req.param("id"), to, b));
            });

    api::add<None, SalesQuery, SalesReport>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/reports/sales", .id = "getSalesReport",
         .summary = "Sales by day: revenue, orders, average order value, refunds, top products",
         .description = "`from` and `to` (YYYY-MM-DD, UTC, both included; default the last 30 days). Kept by ordering from its "
                        "own events: an order counts on the day it was confirmed (paid), a refund on the day it went through.",
         .tag = "ordering", .access = Access::admin},
        [&svc](Request&, None&, SalesQuery& q) { return unwrap(svc.sales_report(q)); });

    api::add<None, None, OrderHistory>(router,
                                       {.method = Method::get, .path = "/api/v1/orders/{id}/history", .id = "getOrderHistory",
                                        .summary = "What happened to an order: status changes, payments, refunds, returns and shipments",
                                        .description = "`history` lists the status changes; `events` lists status changes, payments "
                                                       "(authorized, captured, voided, failed, refunded), refunds (requested, "
                                                       "succeeded, failed), returns (requested, approved, rejected, received) and "
                                                       "shipments (shipped, delivered) in time order, each with its `kind` and `at`.",
                                        .tag = "ordering", .errors = {404}, .cart_token = true},
                                       [&svc](Request& req, None&, None&) {
                                           return unwrap(svc.history(req.ctx(), req.param("id"), req.cart_token()));
                                       });
}

}  // namespace shop::ordering
