#pragma once
// ordering's requests and replies on the wire (see platform/api.hpp).
#include <optional>
#include <string>
#include <vector>

#include "platform/api.hpp"

namespace shop::ordering {

struct Address {
    api::Text<1, 200> name;
    api::Text<1, 200> line1;
    std::optional<api::Text<1, 200>> line2;
    api::Text<1, 100> city;
    std::optional<api::Text<1, 100>> region;
    api::Text<1, 20> postal_code;
    api::Country country;
    std::optional<api::Text<1, 40>> phone;
};
SHOP_API_STRUCT(Address, name, line1, line2, city, region, postal_code, country, phone)

struct CheckoutRequest {
    api::Id<"cart"> cart_id;
    std::optional<api::Email> email;  ///< required for a guest; a customer's defaults to their account's
    Address shipping_address;
    std::optional<Address> billing_address;  ///< default: the shipping address
    api::Text<1, 64> shipping_method;        ///< `standard` always exists
};
SHOP_API_STRUCT(CheckoutRequest, cart_id, email, shipping_address, billing_address, shipping_method)

using OrderStatus = api::OneOf<"pending_payment", "confirmed", "processing", "shipped", "delivered", "cancelled", "refunded",
                               "partially_refunded">;

struct OrderLine {
    api::Id<"oln"> id;
    std::string sku;
    api::Id<"prd"> product_id;
    api::Id<"var"> variant_id;
    std::string title;
    std::int64_t quantity = 0;
    api::Money unit_price;
    api::Money line_total;
};
SHOP_API_STRUCT(OrderLine, id, sku, product_id, variant_id, title, quantity, unit_price, line_total)

struct TaxLineOut {
    std::string tax_class;  ///< `standard`, another class, or `shipping`
    std::int64_t rate_bp = 0;
    api::Money taxable;  ///< what was taxed (after discount; gross when prices include tax)
    api::Money amount;
};
SHOP_API_STRUCT(TaxLineOut, tax_class, rate_bp, taxable, amount)

struct ShipmentLineOut {
    api::Id<"oln"> line_id;
    std::string sku;
    std::int64_t quantity = 0;
};
SHOP_API_STRUCT(ShipmentLineOut, line_id, sku, quantity)

using ShipmentStatus = api::OneOf<"shipped", "delivered">;

struct Shipment {
    api::Id<"shp"> id;
    api::Nullable<std::string> carrier;
    api::Nullable<std::string> tracking_number;
    ShipmentStatus status;
    std::vector<ShipmentLineOut> lines;  ///< the units this parcel carries
    api::Timestamp shipped_at;
    api::Nullable<api::Timestamp> delivered_at;
};
SHOP_API_STRUCT(Shipment, id, carrier, tracking_number, status, lines, shipped_at, delivered_at)

struct Order {
    api::Id<"ord"> id;
    std::string number;  ///< the human order number
    api::Nullable<api::Id<"usr">> customer_id;  ///< null for a guest's order
    std::string email;
    OrderStatus status;
    std::string currency;
    std::vector<OrderLine> lines;
    api::Money subtotal, discount, shipping, tax, total;
    api::Nullable<std::string> promotion_code;  ///< the coupon used; null for none or an automatic promotion
    bool prices_include_tax = false;           ///< tax is part of the prices, not added to the total
    std::vector<TaxLineOut> tax_lines;         ///< the tax charged, per class and rate
    std::string shipping_method;
    Address shipping_address;
    Address billing_address;
    api::Nullable<api::Id<"pay">> payment_id;
    api::Id<"cart"> cart_id;
    api::Timestamp payable_until;  ///< payments after this are refused (the stock is held until then)
    api::Timestamp created_at;
    api::Timestamp updated_at;
    std::vector<Shipment> shipments;  ///< parcels sent, oldest first
};
SHOP_API_STRUCT(Order, id, number, customer_id, email, status, currency, lines, subtotal, discount, shipping, tax, total, promotion_code,
                prices_include_tax, tax_lines, shipping_method,
                shipping_address, billing_address, payment_id, cart_id, payable_until, created_at, updated_at, shipments)

struct OrderPage {
    std::vector<Order> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(OrderPage, data, next_cursor)

struct OrderListQuery {
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
    std::optional<OrderStatus> status;  ///< admins: only orders in this status
};
SHOP_API_STRUCT(OrderListQuery, limit, cursor, status)

struct StatusChange {
    std::string from;  ///< "" for the first entry
    OrderStatus to;
    std::string note;
    api::Timestamp at;
};
SHOP_API_STRUCT(StatusChange, from, to, note, at)

/// One thing that happened to an order. `kind` says which fields it carries: status (`from`,
/// `to`), payment (`payment_id`, `amount`, `refund_id` for refunds), shipment (`shipment_id`,
/// `carrier`, `tracking_number`, `lines`).
struct HistoryEvent {
    api::OneOf<"status", "payment", "shipment"> kind;
    api::Timestamp at;
    /// status: the new status; payment: `authorized`, `failed` or `refunded`; shipment: `shipped` or `delivered`
    std::string event;
    std::string note;
    std::optional<std::string> from;
    std::optional<OrderStatus> to;
    std::optional<api::Id<"pay">> payment_id;
    std::optional<std::string> refund_id;
    std::optional<api::Money> amount;
    std::optional<api::Id<"shp">> shipment_id;
    std::optional<std::string> carrier;
    std::optional<std::string> tracking_number;
    std::optional<std::vector<ShipmentLineOut>> lines;
};
SHOP_API_STRUCT(HistoryEvent, kind, at, event, note, from, to, payment_id, refund_id, amount, shipment_id, carrier, tracking_number, lines)

struct OrderHistory {
    api::Id<"ord"> order_id;
    OrderStatus status;
    std::vector<StatusChange> history;  ///< status changes only, oldest first
    std::vector<HistoryEvent> events;   ///< status changes, payments and shipments, in time order
};
SHOP_API_STRUCT(OrderHistory, order_id, status, history, events)

struct FulfilmentLine {
    api::Id<"oln"> line_id;
    api::Int<1, 1'000'000> quantity;
};
SHOP_API_STRUCT(FulfilmentLine, line_id, quantity)

struct FulfilmentRequest {
    api::OneOf<"processing", "shipped", "delivered"> status;
    std::optional<api::Text<1, 100>> carrier;          ///< shipped only
    std::optional<api::Text<1, 100>> tracking_number;  ///< shipped only
    std::optional<api::List<FulfilmentLine, 1, 500>> lines;  ///< shipped only; absent: every unit not shipped yet
    std::optional<api::Id<"shp">> shipment_id;         ///< delivered only: that shipment; absent: the whole order
};
SHOP_API_STRUCT(FulfilmentRequest, status, carrier, tracking_number, lines, shipment_id)

struct ShippingMethod {
    std::string code;
    std::string name;
    api::Money price;                   ///< in the cart's currency, for the cart's weight
    api::Nullable<api::Money> free_over;  ///< shipping is free from this subtotal (after discount)
    api::Money price_for_cart;          ///< what this cart would pay for it now (0 over free_over)
};
SHOP_API_STRUCT(ShippingMethod, code, name, price, free_over, price_for_cart)

struct ShippingMethods {
    std::vector<ShippingMethod> data;
    api::Nullable<api::Cursor> next_cursor;  ///< always null: every method is on one page
};
SHOP_API_STRUCT(ShippingMethods, data, next_cursor)


}  // namespace shop::ordering
