#pragma once
// payment's requests and replies on the wire (see platform/api.hpp).
#include <optional>
#include <string>
#include <vector>

#include "platform/api.hpp"

namespace shop::payment {

struct CardTokenRequest {
    api::Text<1, 32> number;  ///< a test card number (spaces and dashes allowed); never stored
    api::Int<1, 12> exp_month;
    api::Int<2000, 2200> exp_year;
    api::Text<1, 4> cvc;
};
SHOP_API_STRUCT(CardTokenRequest, number, exp_month, exp_year, cvc)

struct CardToken {
    std::string token;  ///< pass as `payment_method`
    std::string brand;
    std::string last4;
    std::int64_t exp_month = 0;
    std::int64_t exp_year = 0;
};
SHOP_API_STRUCT(CardToken, token, brand, last4, exp_month, exp_year)

struct PayRequest {
    api::Id<"ord"> order_id;
    api::Text<1, 512> payment_method;  ///< a token of /payments/sandbox/tokens
};
SHOP_API_STRUCT(PayRequest, order_id, payment_method)

struct Card {
    std::string brand;
    std::string last4;
};
SHOP_API_STRUCT(Card, brand, last4)

struct NextAction {
    api::OneOf<"redirect_to_url"> type;
};
SHOP_API_STRUCT(NextAction, type)

using PaymentStatus =
    api::OneOf<"requires_payment_method", "requires_action", "processing", "requires_capture", "succeeded", "failed", "canceled">;

struct Payment {
    api::Id<"pay"> id;
    api::Id<"ord"> order_id;
    api::Money amount;
    PaymentStatus status;
    std::string provider;
    Card card;
    api::Money amount_refunded;
    std::optional<std::string> failure_code;  ///< when failed: card_declined, insufficient_funds
    std::optional<std::string> failure_message;
    std::optional<NextAction> next_action;    ///< when requires_action
    api::Timestamp created_at;
    api::Timestamp updated_at;
};
SHOP_API_STRUCT(Payment, id, order_id, amount, status, provider, card, amount_refunded, failure_code, failure_message, next_action,
                created_at, updated_at)

struct PaymentList {
    std::vector<Payment> data;
    api::Nullable<api::Cursor> next_cursor;  ///< always null: an order's payments fit one page
};
SHOP_API_STRUCT(PaymentList, data, next_cursor)

}  // namespace shop::payment
