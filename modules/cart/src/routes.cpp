// Thin HTTP handlers: the typed declarations of cart's routes -> the service.
#include "cart_service.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"

namespace shop::cart {
using namespace shop::http;
using api::None;

void register_cart_routes(Router& router, CartService& svc, std::string base_currency) {
    api::Operation create{.method = Method::post, .path = "/api/v1/carts", .id = "createCart",
                          .summary = "Create a cart (a guest receives its token)",
                          .description = "A guest's cart is proven by the `token` of this reply (send it as `X-Cart-Token`); a "
                                         "signed-in customer's cart is theirs. The currency comes from the body, `?currency=`, "
                                         "or the shop's base currency.",
                          .tag = "cart", .status = 201, .idempotency_schema = "cart", .reply_headers = {"Location"},
                          .body_optional = true};
    // The guest token is never stored with the reply: a replay issues a new one for the same cart.
    create.replay = [&svc](Request& req, const boost::json::value& stored) {
        boost::json::object cart = stored.as_object();
        std::string id(cart.at("id").as_string());
        if (cart.at("customer_id").is_null()) cart["token"] = unwrap(svc.reissue_token(req.ctx(), id));
        auto res = Response::json(201, cart);
        res.headers.set("Location", "/api/v1/carts/" + id);
        return res;
    };
    api::add<CreateCartRequest, CurrencyQuery, Cart>(router, create, [&svc, base_currency](Request& req, CreateCartRequest& b, CurrencyQuery& q) {
        std::string currency = b.currency ? b.currency->value : q.currency ? q.currency->value : base_currency;
        std::string token;
        auto cart = unwrap(svc.create(req.ctx(), currency, token));
        if (!token.empty()) cart.token = token;
        api::Out<Cart> out(cart);
        out.headers.set("Location", "/api/v1/carts/" + cart.id.value);
        return out;
    });

    api::add<None, None, Cart>(router,
                               {.method = Method::get, .path = "/api/v1/carts/{id}", .id = "getCart",
                                .summary = "A cart with live prices and availability", .tag = "cart", .errors = {404}, .cart_token = true},
                               [&svc](Request& req, None&, None&) { return unwrap(svc.view(req.ctx(), req.param("id"), req.cart_token())); });

    api::add<AddItemRequest, None, Cart>(
        router,
        {.method = Method::post, .path = "/api/v1/carts/{id}/items", .id = "addCartItem", .summary = "Add a SKU to a cart",
         .description = "Merges with the line of the same SKU. An unknown SKU is 422; more than is available, 409 `out_of_stock`.",
         .tag = "cart", .status = 201, .errors = {404, 409}, .cart_token = true, .idempotency_schema = "cart"},
        [&svc](Request& req, AddItemRequest& b, None&) {
            return unwrap(svc.add_item(req.ctx(), req.param("id"), req.cart_token(), b.sku.value, b.quantity.value));
        });

    api::add<SetQuantityRequest, None, Cart>(
        router,
        {.method = Method::patch, .path = "/api/v1/carts/{id}/items/{item_id}", .id = "setCartItemQuantity",
         .summary = "Change a line's quantity (0 removes it)", .tag = "cart", .errors = {404, 409}, .cart_token = true},
        [&svc](Request& req, SetQuantityRequest& b, None&) {
            return unwrap(svc.set_quantity(req.ctx(), req.param("id"), req.cart_token(), std::string(req.param("item_id")), b.quantity.value));
        });

    api::add<None, None, Cart>(router,
                               {.method = Method::delete_, .path = "/api/v1/carts/{id}/items/{item_id}", .id = "removeCartItem",
                                .summary = "Remove a line", .tag = "cart", .errors = {404, 409}, .cart_token = true},
                               [&svc](Request& req, None&, None&) {
                                   return unwrap(svc.set_quantity(req.ctx(), req.param("id"), req.cart_token(),
                                                                  std::string(req.param("item_id")), 0));
                               });

    api::add<CouponRequest, None, Cart>(
        router,
        {.method = Method::post, .path = "/api/v1/carts/{id}/coupon", .id = "applyCartCoupon", .summary = "Apply a coupon code",
         .description = "One promotion applies per order: the cart's coupon when it applies, otherwise the automatic promotion worth "
                        "most. A code that is unknown, not yet valid, expired, used up (in total or by you), in another currency, "
                        "below its minimum subtotal or for none of the cart's products is 422 naming `code`. Replaces a coupon "
                        "applied before. Usage is counted when an order is placed.",
         .tag = "cart", .errors = {404, 409}, .cart_token = true, .idempotency_schema = "cart"},
        [&svc](Request& req, CouponRequest& b, None&) {
            return unwrap(svc.set_coupon(req.ctx(), req.param("id"), req.cart_token(), b.code.value));
        });

    api::add<None, None, Cart>(router,
                               {.method = Method::delete_, .path = "/api/v1/carts/{id}/coupon", .id = "removeCartCoupon",
                                .summary = "Remove the cart's coupon", .tag = "cart", .errors = {404, 409}, .cart_token = true},
                               [&svc](Request& req, None&, None&) {
                                   return unwrap(svc.set_coupon(req.ctx(), req.param("id"), req.cart_token(), ""));
                               });

    api::add<MergeRequest, None, Cart>(
        router,
        {.method = Method::post, .path = "/api/v1/carts/{id}/merge", .id = "mergeCart",
         .summary = "Merge a guest cart into your cart",
         .description = "`{id}` is the signed-in customer's own cart; `cart_id` and `token` prove the guest cart. Quantities of the "
                        "same SKU are summed, then capped by the free stock and the line maximum (what cannot be had is dropped); "
                        "the guest's coupon is kept when your cart has none. The guest cart is closed (status `merged`). A guest "
                        "cart that is not yours is 404; a closed one 409; one in another currency 422.",
         .tag = "cart", .access = Access::user, .errors = {404, 409}, .idempotency_schema = "cart"},
        [&svc](Request& req, MergeRequest& b, None&) {
            return unwrap(svc.merge(req.ctx(), req.param("id"), b.cart_id.value, b.token.value));
        });
}

}  // namespace shop::cart
