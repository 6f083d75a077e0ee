// Thin HTTP handlers for the signed-in user's address book and wishlist -> ProfileService.
#include "platform/api.hpp"
#include "platform/http.hpp"
#include "profile_service.hpp"

namespace shop::identity {
using namespace shop::http;
using api::None;

void register_profile_routes(Router& router, ProfileService& profiles) {
    auto page = [](const ProfilePageQuery& q) {
        return std::pair<std::string, int>(q.cursor ? q.cursor->value : "", q.limit ? static_cast<int>(q.limit->value) : 20);
    };

    // ---- addresses ----
    api::add<None, ProfilePageQuery, AddressPage>(
        router,
        {.method = Method::get, .path = "/api/v1/me/addresses", .id = "listMyAddresses", .summary = "Your address book, newest first",
         .tag = "identity", .access = Access::user},
        [&profiles, page](Request& req, None&, ProfilePageQuery& q) {
            auto [after, limit] = page(q);
            return profiles.addresses(req.ctx(), after, limit);
        });
    api::add<AddressRequest, None, AddressReply>(
        router,
        {.method = Method::post, .path = "/api/v1/me/addresses", .id = "createMyAddress", .summary = "Add an address",
         .description = "`country` is an assigned ISO 3166-1 alpha-2 code. The first address becomes the default shipping and "
                        "billing address unless `default_shipping`/`default_billing` say false; making an address a default "
                        "makes the previous one stop being it, in the same transaction. At most 50 addresses (then 409).",
         .tag = "identity", .access = Access::user, .status = 201, .errors = {409}, .idempotency_schema = "identity",
         .reply_headers = {"Location"}},
        [&profiles](Request& req, AddressRequest& b, None&) {
            api::Out<AddressReply> out(unwrap(profiles.add_address(req.ctx(), b)));
            out.headers.set("Location", "/api/v1/me/addresses/" + out.body.id.value);
            return out;
        });
    api::add<None, None, AddressReply>(
        router,
        {.method = Method::get, .path = "/api/v1/me/addresses/{id}", .id = "getMyAddress", .summary = "One of your addresses",
         .description = "Someone else's address is 404, as if it did not exist.", .tag = "identity", .access = Access::user,
         .errors = {404}},
        [&profiles](Request& req, None&, None&) { return unwrap(profiles.address(req.ctx(), std::string(req.param("id")))); });
    api::add<AddressPatch, None, AddressReply>(
        router,
        {.method = Method::patch, .path = "/api/v1/me/addresses/{id}", .id = "updateMyAddress",
         .summary = "Change an address or make it a default",
         .description = "Optional fields take null to clear them. `default_shipping: true` (or `default_billing`) makes this the "
                        "default and the previous default stops being it, atomically; false leaves no default.",
         .tag = "identity", .access = Access::user, .errors = {404}},
        [&profiles](Request& req, AddressPatch& b, None&) {
            return unwrap(profiles.update_address(req.ctx(), std::string(req.param("id")), b));
        });
    api::add<None, None, api::NoContent>(
        router,
        {.method = Method::delete_, .path = "/api/v1/me/addresses/{id}", .id = "deleteMyAddress", .summary = "Delete an address",
         .description = "Deleting a default address leaves no default of that kind.", .tag = "identity", .access = Access::user,
         .status = 204, .errors = {404}},
        [&profiles](Request& req, None&, None&) { unwrap(profiles.delete_address(req.ctx(), std::string(req.param("id")))); });

    // ---- wishlist ----
    api::add<None, ProfilePageQuery, WishlistPage>(
        router,
        {.method = Method::get, .path = "/api/v1/me/wishlist", .id = "listMyWishlist", .summary = "Your wishlist, last added first",
         .description = "A product withdrawn from sale since it was added stays listed with `available: false`.", .tag = "identity",
         .access = Access::user},
        [&profiles, page](Request& req, None&, ProfilePageQuery& q) {
            auto [after, limit] = page(q);
            return profiles.wishlist(req.ctx(), after, limit);
        });
    api::add<WishlistAdd, None, WishlistItem>(
        router,
        {.method = Method::post, .path = "/api/v1/me/wishlist", .id = "addToMyWishlist", .summary = "Add a product to your wishlist",
         .description = "Only a published product (else 422 naming `product_id`). Adding one already in the wishlist answers its "
                        "entry as it is. At most 500 products (then 409).",
         .tag = "identity", .access = Access::user, .status = 201, .errors = {409}, .idempotency_schema = "identity"},
        [&profiles](Request& req, WishlistAdd& b, None&) { return unwrap(profiles.add_to_wishlist(req.ctx(), b.product_id.value)); });
    api::add<None, None, api::NoContent>(
        router,
        {.method = Method::delete_, .path = "/api/v1/me/wishlist/{product_id}", .id = "removeFromMyWishlist",
         .summary = "Remove a product from your wishlist", .tag = "identity", .access = Access::user, .status = 204, .errors = {404}},
        [&profiles](Request& req, None&, None&) {
            unwrap(profiles.remove_from_wishlist(req.ctx(), std::string(req.param("product_id"))));
        });
}

}  // namespace shop::identity
