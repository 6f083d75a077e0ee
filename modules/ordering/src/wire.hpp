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
};
SHOP_API_STRUCT(Order, id, number, customer_id, email, status, currency, lines, subtotal, discount, shipping, tax, total, promotion_code,
                prices_include_tax, tax_lines, shipping_method,
                shipping_address, billing_address, payment_id, cart_id, payable_until, created_at, updated_at)

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

struct OrderHistory {
    api::Id<"ord"> order_id;
    OrderStatus status;
    std::vector<StatusChange> history;
};
SHOP_API_STRUCT(OrderHistory, order_id, status, history)

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
