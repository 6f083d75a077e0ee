#pragma once
// Reviews: written by customers, moderated by admins, counted into the product's rating when
// approved; and the purchases that make a review verified. Thread-safe.
#include <string>

#include "platform/context.hpp"
#include "platform/error.hpp"
#include "product_cache.hpp"
#include "wire.hpp"

namespace shop::db {
class Database;
class Tx;
}  // namespace shop::db

namespace shop::catalog {

class ReviewService {
public:
    ReviewService(db::Database& db, ProductCache& products) : db_(db), products_(products) {}

    /// A customer's review of a published product: pending until moderated, verified when the
    /// customer has a confirmed order of it; a second one of the same product is 409.
    Result<Review> create(const Ctx& ctx, const std::string& product_id, const ReviewRequest& in);
    /// Approved reviews of a product, newest first, after the cursor (a review id).
    ReviewPage approved(const std::string& product_id, const std::string& after, int limit);
    /// Every review, or those in `status`, newest first (admins).
    ReviewPage all(const std::string& status, const std::string& after, int limit);
    /// Approves or rejects a review, moving the product's rating with it in the same transaction.
    Result<Review> moderate(const Ctx& ctx, const std::string& id, const std::string& status);

    /// ordering's events, in the subscriber's transaction: a confirmed order's products are the
    /// customer's purchases; a cancelled order's are not.
    void record_purchase(db::Tx& tx, const std::string& order_id, const std::string& customer_id, const std::string& product_id);
    void forget_purchases(db::Tx& tx, const std::string& order_id);

private:
    db::Database& db_;
    ProductCache& products_;
};

}  // namespace shop::catalog
