#pragma once
#include <boost/describe.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shop::ordering::events {

struct OrderLine {
    std::string sku;
    std::string product_id;
    std::string variant_id;
    std::string title;
    std::int64_t quantity{};
    std::int64_t unit_price{};
    std::int64_t line_total{};
};
BOOST_DESCRIBE_STRUCT(OrderLine, (), (sku, product_id, variant_id, title, quantity, unit_price, line_total))

/// Checkout created an order awaiting payment; its stock is reserved.
struct OrderPlaced {
    static constexpr std::string_view kType = "ordering.order_placed.v1";
    std::string order_id;
    std::string number;
    std::string customer_id;  ///< empty for guests
    std::string email;
    std::string cart_id;
    std::string currency;
    std::int64_t subtotal{}, discount{}, shipping{}, tax{}, total{};
    std::vector<OrderLine> lines;
    static constexpr auto kKey = &OrderPlaced::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(OrderPlaced, (), (order_id, number, customer_id, email, cart_id, currency, subtotal, discount, shipping, tax, total, lines))

/// Payment went through: the order is confirmed and its reservation must become a sale.
struct OrderConfirmed {
    static constexpr std::string_view kType = "ordering.order_confirmed.v1";
    std::string order_id;
    std::string number;
    std::string customer_id;
    std::string email;
    std::string payment_id;
    std::string currency;
    std::int64_t subtotal{}, discount{}, shipping{}, tax{}, total{};
    std::vector<OrderLine> lines;
    static constexpr auto kKey = &OrderConfirmed::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(OrderConfirmed, (), (order_id, number, customer_id, email, payment_id, currency, subtotal, discount, shipping, tax, total, lines))

/// The order was cancelled (by the customer, an admin, or because its reservation expired).
struct OrderCancelled {
    static constexpr std::string_view kType = "ordering.order_cancelled.v1";
    std::string order_id;
    std::string number;
    std::string email;
    std::string reason;
    static constexpr auto kKey = &OrderCancelled::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(OrderCancelled, (), (order_id, number, email, reason))

/// A payment arrived for an order that can no longer take it (cancelled, or already paid by
/// another payment): the payment must be given back.
struct PaymentRejected {
    static constexpr std::string_view kType = "ordering.payment_rejected.v1";
    std::string order_id;
    std::string payment_id;
    std::string reason;
    static constexpr auto kKey = &PaymentRejected::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(PaymentRejected, (), (order_id, payment_id, reason))

/// The order's status moved along fulfilment (e.g. confirmed → processing) without a shipment or
/// delivery of its own to tell.
struct OrderStatusChanged {
    static constexpr std::string_view kType = "ordering.order_status_changed.v1";
    std::string order_id;
    std::string number;
    std::string from;
    std::string to;
    static constexpr auto kKey = &OrderStatusChanged::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(OrderStatusChanged, (), (order_id, number, from, to))

/// One order line's units in a shipment.
struct ShipmentLine {
    std::string line_id;
    std::string sku;
    std::string title;
    std::int64_t quantity{};
};
BOOST_DESCRIBE_STRUCT(ShipmentLine, (), (line_id, sku, title, quantity))

/// A parcel left the warehouse. `complete`: every unit of the order has now shipped (the order
/// became shipped); otherwise it stays processing until the rest follows.
struct OrderShipped {
    static constexpr std::string_view kType = "ordering.order_shipped.v1";
    std::string order_id;
    std::string number;
    std::string email;
    std::string shipment_id;
    std::string carrier;          ///< may be empty
    std::string tracking_number;  ///< may be empty
    std::vector<ShipmentLine> lines;
    bool complete{};
    static constexpr auto kKey = &OrderShipped::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(OrderShipped, (), (order_id, number, email, shipment_id, carrier, tracking_number, lines, complete))

/// Shipments arrived. `complete`: the whole order is now delivered.
struct OrderDelivered {
    static constexpr std::string_view kType = "ordering.order_delivered.v1";
    std::string order_id;
    std::string number;
    std::string email;
    std::vector<std::string> shipment_ids;  ///< the shipments delivered by this step
    bool complete{};
    static constexpr auto kKey = &OrderDelivered::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(OrderDelivered, (), (order_id, number, email, shipment_ids, complete))

/// Money of an order is to go back to the customer (an admin's refund, or a received return):
/// payment refunds it from the order's captured payment under this `refund_id`, and answers with
/// payment_refunded or refund_failed carrying it.
struct RefundRequested {
    static constexpr std::string_view kType = "ordering.refund_requested.v1";
    std::string refund_id;
    std::string order_id;
    std::int64_t amount{};
    std::string currency;
    std::string reason;
    static constexpr auto kKey = &RefundRequested::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(RefundRequested, (), (refund_id, order_id, amount, currency, reason))

/// One SKU's units coming back to stock.
struct RestockLine {
    std::string sku;
    std::int64_t quantity{};
};
BOOST_DESCRIBE_STRUCT(RestockLine, (), (sku, quantity))

/// Sold units of an order go back on the shelf (a refund with restock, a received return):
/// inventory adds them to the warehouses they were sold from.
struct ItemsRestocked {
    static constexpr std::string_view kType = "ordering.items_restocked.v1";
    std::string order_id;
    std::string reason;  ///< `refund ref_…` or `return ret_…`
    std::vector<RestockLine> lines;
    static constexpr auto kKey = &ItemsRestocked::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(ItemsRestocked, (), (order_id, reason, lines))

/// A refund of an order went through: `amount` now, `total_refunded` so far, the order's `status`
/// after it (refunded, partially_refunded, or unchanged before delivery).
struct OrderRefunded {
    static constexpr std::string_view kType = "ordering.order_refunded.v1";
    std::string order_id;
    std::string number;
    std::string email;
    std::string refund_id;
    std::int64_t amount{};
    std::int64_t total_refunded{};
    std::string currency;
    std::string reason;
    std::string status;
    static constexpr auto kKey = &OrderRefunded::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(OrderRefunded, (), (order_id, number, email, refund_id, amount, total_refunded, currency, reason, status))

/// A return's status changed (requested, approved, rejected, received): the customer is told.
struct ReturnUpdated {
    static constexpr std::string_view kType = "ordering.return_updated.v1";
    std::string return_id;
    std::string order_id;
    std::string number;
    std::string email;
    std::string status;
    std::string note;
    static constexpr auto kKey = &ReturnUpdated::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(ReturnUpdated, (), (return_id, order_id, number, email, status, note))

}  // namespace shop::ordering::events
