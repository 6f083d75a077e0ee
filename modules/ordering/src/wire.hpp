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
    api::OneOf<"status", "payment", "shipment", "refund", "return"> kind;
    api::Timestamp at;
    /// status: the new status; payment: `authorized`, `captured`, `voided`, `failed` or `refunded`;
    /// shipment: `shipped` or `delivered`; refund: `requested`, `succeeded` or `failed`; return:
    /// `requested`, `approved`, `rejected` or `received`
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
    std::optional<api::Id<"ret">> return_id;
};
SHOP_API_STRUCT(HistoryEvent, kind, at, event, note, from, to, payment_id, refund_id, amount, shipment_id, carrier, tracking_number, lines,
                return_id)

struct OrderHistory {
    api::Id<"ord"> order_id;
    OrderStatus status;
    std::vector<StatusChange> history;  ///< status changes only, oldest first
    std::vector<HistoryEvent> events;   ///< status changes, payments, refunds, returns and shipments, in time order
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

struct LineQuantity {
    api::Id<"oln"> line_id;
    api::Int<1, 1'000'000> quantity;
};
SHOP_API_STRUCT(LineQuantity, line_id, quantity)

struct RefundRequest {
    std::optional<api::Int<1, 1'000'000'000'000>> amount;  ///< minor units of the order's currency; absent: all that is left
    api::Text<1, 500> reason;
    std::optional<bool> restock;                            ///< put units back in stock (default false)
    std::optional<api::List<LineQuantity, 1, 500>> lines;   ///< with restock: these units; absent: every unit not restocked yet
};
SHOP_API_STRUCT(RefundRequest, amount, reason, restock, lines)

using RefundStatus = api::OneOf<"pending", "succeeded", "failed">;

struct RestockedLine {
    api::Id<"oln"> line_id;
    std::string sku;
    std::int64_t quantity = 0;
};
SHOP_API_STRUCT(RestockedLine, line_id, sku, quantity)

/// A refund of an order: `pending` until payment has given the money back.
struct OrderRefund {
    std::string id;  ///< ref_…: also the payment's refund id
    api::Id<"ord"> order_id;
    api::Money amount;
    std::string reason;
    RefundStatus status;
    api::Nullable<std::string> failure_code;
    api::Nullable<api::Id<"ret">> return_id;
    std::vector<RestockedLine> restocked;
    api::Timestamp created_at;
};
SHOP_API_STRUCT(OrderRefund, id, order_id, amount, reason, status, failure_code, return_id, restocked, created_at)

struct ReturnRequest {
    api::List<LineQuantity, 1, 500> lines;
    api::Text<1, 500> reason;
};
SHOP_API_STRUCT(ReturnRequest, lines, reason)

struct ReturnLineOut {
    api::Id<"oln"> line_id;
    std::string sku;
    std::string title;
    std::int64_t quantity = 0;
};
SHOP_API_STRUCT(ReturnLineOut, line_id, sku, title, quantity)

using ReturnStatus = api::OneOf<"requested", "approved", "rejected", "received">;

struct ReturnOut {
    api::Id<"ret"> id;
    api::Id<"ord"> order_id;
    std::string order_number;
    ReturnStatus status;
    std::string reason;
    std::string note;  ///< the shop's, on approval, rejection or receipt
    std::vector<ReturnLineOut> lines;
    bool restocked = false;
    api::Nullable<std::string> refund_id;  ///< when received: the refund of the returned lines
    api::Money refund_amount;
    api::Timestamp created_at;
    api::Nullable<api::Timestamp> decided_at;
    api::Nullable<api::Timestamp> received_at;
};
SHOP_API_STRUCT(ReturnOut, id, order_id, order_number, status, reason, note, lines, restocked, refund_id, refund_amount, created_at, decided_at,
                received_at)

struct ReturnPage {
    std::vector<ReturnOut> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(ReturnPage, data, next_cursor)

struct ReturnListQuery {
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
    std::optional<ReturnStatus> status;
    std::optional<api::Id<"ord">> order_id;
};
SHOP_API_STRUCT(ReturnListQuery, limit, cursor, status, order_id)

struct ReturnDecision {
    std::optional<api::Text<1, 500>> note;
    std::optional<bool> restock;  ///< receive only: put the returned units back in stock (default true)
};
SHOP_API_STRUCT(ReturnDecision, note, restock)

struct SalesQuery {
    std::optional<api::Text<10, 10>> from;  ///< first day, YYYY-MM-DD (UTC); default: 30 days before `to`
    std::optional<api::Text<10, 10>> to;    ///< last day, YYYY-MM-DD (UTC), included; default: today
};
SHOP_API_STRUCT(SalesQuery, from, to)

/// Sales of one day and currency (or of the whole range, in `totals`).
struct SalesRow {
    std::optional<std::string> day;  ///< YYYY-MM-DD; absent in totals
    std::string currency;
    std::int64_t orders = 0;      ///< orders confirmed (paid)
    api::Money revenue;           ///< their totals
    api::Money refunded;          ///< refunds made that day (cancellations included)
    api::Money net_revenue;       ///< revenue - refunded
    api::Money average_order_value;  ///< revenue / orders, rounded down
};
SHOP_API_STRUCT(SalesRow, day, currency, orders, revenue, refunded, net_revenue, average_order_value)

struct TopProduct {
    std::string product_id;
    std::string sku;
    std::string title;
    std::string currency;
    std::int64_t quantity = 0;
    api::Money revenue;
};
SHOP_API_STRUCT(TopProduct, product_id, sku, title, currency, quantity, revenue)

struct SalesReport {
    std::string from;
    std::string to;
    std::vector<SalesRow> days;
    std::vector<SalesRow> totals;              ///< per currency
    std::vector<TopProduct> top_products;      ///< the 10 SKUs sold most (units), per currency
};
SHOP_API_STRUCT(SalesReport, from, to, days, totals, top_products)

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
