// Thin HTTP handlers of reviews and their moderation.
#include "catalog_service.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"

namespace shop::catalog {
using namespace shop::http;
using api::None;

void register_review_routes(Router& router, CatalogService& svc) {
    api::add<ReviewRequest, None, Review>(
        router,
        {.method = Method::post, .path = "/api/v1/products/{id}/reviews", .id = "createReview", .summary = "Review a product",
         .description = "Customers only (403 for other roles), one review per product per customer (409 conflict). "
                        "`verified_purchase` is true when the customer has a confirmed order of the product (learned from "
                        "ordering's events; a cancelled order does not count). The review is `pending` until an admin approves "
                        "it: only approved reviews are listed and count into the product's `rating`.",
         .tag = "catalog", .access = Access::user, .status = 201, .errors = {403, 404, 409}, .idempotency_schema = "catalog"},
        [&svc](Request& req, ReviewRequest& b, None&) {
            auto doc = unwrap(svc.find_visible(Ctx{}, std::string(req.param("id"))));
            return unwrap(svc.reviews().create(req.ctx(), doc->id, b));
        });

    api::add<None, PageQuery, ReviewPage>(
        router,
        {.method = Method::get, .path = "/api/v1/products/{id}/reviews", .id = "listReviews", .summary = "A product's approved reviews",
         .description = "Newest first, with a cursor.", .tag = "catalog", .errors = {404}},
        [&svc](Request& req, None&, PageQuery& q) {
            auto doc = unwrap(svc.find_visible(Ctx{}, std::string(req.param("id"))));
            return svc.reviews().approved(doc->id, q.cursor ? q.cursor->value : "", q.limit ? static_cast<int>(q.limit->value) : 20);
        });

    api::add<None, ReviewListQuery, ReviewPage>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/reviews", .id = "listAllReviews", .summary = "Reviews to moderate",
         .description = "Every review, or those with `status`, newest first.", .tag = "catalog", .access = Access::admin},
        [&svc](Request&, None&, ReviewListQuery& q) {
            return svc.reviews().all(q.status ? q.status->value : "", q.cursor ? q.cursor->value : "",
                                     q.limit ? static_cast<int>(q.limit->value) : 20);
        });

    api::add<ReviewModeration, None, Review>(
        router,
        {.method = Method::patch, .path = "/api/v1/admin/reviews/{id}", .id = "moderateReview", .summary = "Approve or reject a review",
         .description = "The product's `rating` (average and count of approved reviews) moves in the same transaction. "
                        "Setting the status a review already has changes nothing.",
         .tag = "catalog", .access = Access::admin, .errors = {404}},
        [&svc](Request& req, ReviewModeration& b, None&) {
            return unwrap(svc.reviews().moderate(req.ctx(), std::string(req.param("id")), b.status.value));
        });
}

}  // namespace shop::catalog
