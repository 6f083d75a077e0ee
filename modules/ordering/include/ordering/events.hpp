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

}  // namespace shop::ordering::events
