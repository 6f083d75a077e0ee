#pragma once
#include <optional>

#include "cart/api.hpp"
#include "catalog/api.hpp"
#include "inventory/api.hpp"
#include "ordering/api.hpp"
#include "ordering/events.hpp"
#include "platform/log.hpp"
#include "pricing_service.hpp"
#include "domain/refunds.hpp"
#include "wire.hpp"

namespace shop::db {
class Database;
class Tx;
}

namespace shop::ordering {

/// Who may see and pay an order, read with the order itself.
struct OrderAccess {
    std::string customer_id;       ///< empty for guests
    std::string guest_token_hash;  ///< sha256 of the guest's cart token
    std::int64_t payable_until_ms = 0;
};

class OrderingService final : public OrderingApi {
public:
    /// `payment_window_ms`: how long after checkout an order takes payment; shorter than the
    /// stock reservation's TTL.
    OrderingService(db::Database& db, Logger& log, catalog::CatalogApi& catalog, cart::CartApi& cart,
                    inventory::InventoryApi& inventory, PricingService& pricing, std::int64_t payment_window_ms)
        : db_(db), log_(log), catalog_(catalog), cart_(cart), inventory_(inventory), pricing_(pricing), payment_window_ms_(payment_window_ms) {}

    Result<PayableOrder> order_for_payment(const Ctx& ctx, std::string_view order_id, std::string_view cart_token) override;

    /// The checkout saga's first step: re-price the cart, reserve stock, create the order
    /// pending_payment and publish order_placed. Returns the order as the API replies it (also
    /// recorded for the request's Idempotency-Key).
    Result<Order> checkout(const Ctx& ctx, const CheckoutRequest& in, std::string_view cart_token);
    /// Cancels an order before it ships (its customer or guest, or an admin): stock and coupon
    /// use come back, a payment taken is refunded, the customer is mailed. Idempotent.
    Result<Order> cancel(const Ctx& ctx, std::string_view order_id, std::string_view cart_token, const std::string& reason);
    /// Moves an order along fulfilment (admin): processing; shipped (a shipment of the lines
    /// asked, or of everything left; the order becomes shipped with its last unit); delivered (one
    /// shipment, or the whole order). Every status change goes through the transition table.
    Result<Order> fulfil(const Ctx& ctx, std::string_view order_id, const FulfilmentRequest& in);
    Result<Order> get_order(const Ctx& ctx, std::string_view order_id, std::string_view cart_token);
    Result<OrderHistory> history(const Ctx& ctx, std::string_view order_id, std::string_view cart_token);
    /// The caller's orders (admins: all, optionally by status), newest first.
    OrderPage list_orders(const Ctx& ctx, const std::string& after, int limit, const std::string& status);
    /// The methods that can ship this cart (its owner only) to `country`, priced for it.
    Result<ShippingMethods> shipping_methods(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token, const std::string& country);
    /// What checkout would charge for this cart, address and method now (nothing is written).
    Result<Quote> quote(const Ctx& ctx, const QuoteRequest& in, std::string_view cart_token);

    /// Gives back part or all of what was captured for an order (admin): never more than captured
    /// in total, concurrent refunds included. Payment refunds it (the reply is `pending` until
    /// then); the order becomes partially_refunded / refunded when it has; `restock` puts units back.
    Result<OrderRefund> refund(const Ctx& ctx, std::string_view order_id, const RefundRequest& in);
    /// A return of delivered units (the order's customer or guest).
    Result<ReturnOut> request_return(const Ctx& ctx, std::string_view order_id, std::string_view cart_token, const ReturnRequest& in);
    /// Returns, newest first (admin), by status or order.
    ReturnPage list_returns(const ReturnListQuery& q);
    /// An admin's step on a return: `approved`, `rejected`, or `received` (refunds the returned
    /// lines' value and, unless `restock` is false, puts them back in stock).
    Result<ReturnOut> decide_return(const Ctx& ctx, std::string_view return_id, const std::string& to, const ReturnDecision& in);
    /// The sales report over a day range, from the read model.
    Result<SalesReport> sales_report(const SalesQuery& q);

    /// Releases stock held for orders that were never written (a crash between the reservation
    /// and the order's transaction), once they are older than `grace_ms`; returns how many.
    int release_orphaned_reservations(std::int64_t grace_ms);
    /// Orders placed, by status, and revenue of paid orders by currency (Prometheus text).
    void collect_metrics(std::string& out);

    // Saga steps driven by events; each is idempotent.
    void on_payment_authorized(db::Tx& tx, const std::string& order_id, const std::string& payment_id);
    /// A capture that settled after its order was cancelled (the cancellation found the capture
    /// under way and could not void it): the payment is rejected, so payment refunds it.
    void on_payment_captured(db::Tx& tx, const std::string& order_id, const std::string& payment_id);
    void on_payment_failed(db::Tx& tx, const std::string& order_id, const std::string& code);
    void on_reservation_expired(db::Tx& tx, const std::string& order_id);
    /// Payment gave money back: the refund asked for (if it was one) succeeded, and the order's
    /// status follows (domain::status_after_refund); order_refunded tells the customer.
    void on_payment_refunded(db::Tx& tx, const std::string& order_id, const std::string& refund_id, std::int64_t amount,
                             const std::string& currency, const std::string& reason);
    /// Payment could not make a refund asked for.
    void on_refund_failed(db::Tx& tx, const std::string& refund_id, const std::string& code);
    /// The sales read model, from ordering's own events (`day`: the event's UTC date).
    void count_sale(db::Tx& tx, const std::string& day, const events::OrderConfirmed& e);
    void count_refund_in_sales(db::Tx& tx, const std::string& day, const std::string& currency, std::int64_t amount);
    /// Records what payment told about an order (`authorized`, `captured`, `voided`, `failed`,
    /// `refunded`) for its history; `detail`: the failure code, or the refund's id.
    void record_payment_fact(db::Tx& tx, const std::string& order_id, const std::string& payment_id, const std::string& kind,
                             std::int64_t amount, const std::string& currency, const std::string& detail, const std::string& at);

private:
    std::optional<Order> load_order(const std::string& id, OrderAccess* access);
    /// Writes a refund of `amount` (pending) and its restock, publishes refund_requested and
    /// items_restocked; the caller checked the amount.
    OrderRefund start_refund(db::Tx& tx, const Ctx& ctx, const Order& o, std::int64_t amount, const std::string& reason,
                             const std::vector<domain::AskedLine>& restock, const std::string& return_id);
    /// The cart's lines priced from the catalog now; errors name `cart_id`.
    Result<std::vector<domain::PriceLine>> price_lines(const cart::CheckoutCart& cart, std::vector<events::OrderLine>* order_lines);

    db::Database& db_;
    Logger& log_;
    catalog::CatalogApi& catalog_;
    cart::CartApi& cart_;
    inventory::InventoryApi& inventory_;
    PricingService& pricing_;
    std::int64_t payment_window_ms_;
};

}  // namespace shop::ordering
