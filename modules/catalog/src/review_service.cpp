#include "review_service.hpp"

#include "catalog_service.hpp"

#include <fmt/format.h>

#include "catalog/errors.hpp"
#include "catalog/events.hpp"
#include "domain/product_list.hpp"
#include "platform/audit.hpp"
#include "platform/db.hpp"
#include "platform/http.hpp"

namespace shop::catalog {

namespace {

constexpr const char* kColumns = "id, product_id, rating, title, body, verified_purchase, status, created_at";

Review review_of(const db::Row& r) {
    Review out;
    out.id = api::of<api::Id<"rev">>(r.str(0));
    out.product_id = api::of<api::Id<"prd">>(r.str(1));
    out.rating = r.i64(2);
    out.title = r.str(3);
    out.body = r.str(4);
    out.verified_purchase = r.boolean(5);
    out.status.value = r.str(6);
    out.created_at.value = r.str(7);
    return out;
}

ReviewPage page_of(db::Database& db, const std::string& where, std::vector<db::Param> params, const std::string& after, int limit) {
    std::string sql = fmt::format("SELECT {} FROM catalog.reviews WHERE {}", kColumns, where);
    if (!after.empty()) {
        sql += " AND id < ?";
        params.emplace_back(after);
    }
    sql += " ORDER BY id DESC LIMIT ?";
    params.emplace_back(limit + 1);
    ReviewPage page;
    db.read([&](db::Reader& r) {
        for (auto& row : r.query_params(sql, params)) page.data.push_back(review_of(row));
    });
    if (static_cast<int>(page.data.size()) > limit) {
        page.data.resize(limit);
        page.next_cursor = api::of<api::Cursor>(page.data.back().id.value);
    }
    return page;
}

/// Moves the product's rating aggregate by one review (`sign` +1 counts it, -1 takes it out).
void adjust_rating(db::Tx& tx, const std::string& product_id, std::int64_t rating, int sign) {
    auto row = tx.one("SELECT rating_sum, rating_count FROM catalog.products WHERE id = ?", product_id);
    if (!row) return;
    std::int64_t sum = row->i64(0) + sign * rating, count = row->i64(1) + sign;
    tx.exec("UPDATE catalog.products SET rating_sum = ?, rating_count = ?, rating_key = ? WHERE id = ?", sum, count,
            domain::rating_key(sum, count), product_id);
}

}  // namespace

Result<Review> ReviewService::create(const Ctx& ctx, const std::string& product_id, const ReviewRequest& in) {
    if (!ctx.principal || ctx.principal->role != "customer") return forbidden("reviews are written by customers");
    const std::string customer_id = ctx.principal->user_id;
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<Review> {
        if (!tx.count("SELECT COUNT(*) FROM catalog.products WHERE id = ? AND status = 'published'", product_id))
            return not_found(fmt::format("no product '{}'", product_id));
        if (tx.count("SELECT COUNT(*) FROM catalog.reviews WHERE product_id = ? AND customer_id = ?", product_id, customer_id))
            return conflict("you have reviewed this product already");
        bool verified = tx.count("SELECT COUNT(*) FROM catalog.purchases WHERE customer_id = ? AND product_id = ?", customer_id, product_id) > 0;
        auto id = new_id("rev");
        auto now = now_iso8601();
        tx.exec("INSERT INTO catalog.reviews (id, product_id, customer_id, rating, title, body, status, verified_purchase, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                id, product_id, customer_id, in.rating.value, in.title ? in.title->value : "", in.body ? in.body->value : "", verified, now, now);
        auto row = tx.one(fmt::format("SELECT {} FROM catalog.reviews WHERE id = ?", kColumns), id);
        auto out = review_of(*row);
        tx.reply(api::write_value(out));
        return out;
    });
}

ReviewPage ReviewService::approved(const std::string& product_id, const std::string& after, int limit) {
    return page_of(db_, "product_id = ? AND status = 'approved'", {db::Param(product_id)}, after, limit);
}

ReviewPage ReviewService::all(const std::string& status, const std::string& after, int limit) {
    if (status.empty()) return page_of(db_, "1 = 1", {}, after, limit);
    return page_of(db_, "status = ?", {db::Param(status)}, after, limit);
}

Result<Review> ReviewService::moderate(const Ctx& ctx, const std::string& id, const std::string& status) {
    std::string product_id;
    auto out = db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<Review> {
        auto row = tx.one(fmt::format("SELECT {} FROM catalog.reviews WHERE id = ?", kColumns), id);
        if (!row) return not_found(fmt::format("no review '{}'", id));
        auto review = review_of(*row);
        product_id = review.product_id.value;
        if (review.status.value == status) return review;  // already so: nothing moves
        if (review.status.value == "approved") adjust_rating(tx, product_id, review.rating, -1);
        if (status == "approved") adjust_rating(tx, product_id, review.rating, +1);
        if (review.status.value == "approved" || status == "approved") publish_product_changed(tx, product_id);
        tx.exec("UPDATE catalog.reviews SET status = ?, updated_at = ? WHERE id = ?", status, now_iso8601(), id);
        audit::record(tx, "catalog.review.moderated", id, {{"product_id", product_id}, {"status", status}});
        auto product = tx.one("SELECT title, slug FROM catalog.products WHERE id = ?", product_id);
        auto author = tx.one("SELECT customer_id FROM catalog.reviews WHERE id = ?", id);
        tx.publish(events::ReviewModerated{id, product_id, product ? product->str(0) : "", product ? product->str(1) : "",
                                           author ? author->str(0) : "", status, review.rating});
        review.status.value = status;
        tx.after_commit([this, product_id] { products_.invalidate(product_id); });
        return review;
    });
    return out;
}

void ReviewService::record_purchase(db::Tx& tx, const std::string& order_id, const std::string& customer_id, const std::string& product_id) {
    if (customer_id.empty()) return;  // a guest's order: no account to verify
    tx.exec("INSERT INTO catalog.purchases (order_id, customer_id, product_id) VALUES (?, ?, ?) ON CONFLICT (order_id, product_id) DO NOTHING",
            order_id, customer_id, product_id);
}

void ReviewService::forget_purchases(db::Tx& tx, const std::string& order_id) {
    tx.exec("DELETE FROM catalog.purchases WHERE order_id = ?", order_id);
}

}  // namespace shop::catalog
