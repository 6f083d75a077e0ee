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

using CaptureMethod = api::OneOf<"automatic", "manual">;

struct PayRequest {
    api::Id<"ord"> order_id;
    api::Text<1, 512> payment_method;  ///< a token of /payments/sandbox/tokens
    /// automatic: captured with the authorization; manual: authorized only, captured later by an
    /// admin (POST /payments/{id}/capture). Default: the store's `payment.capture`.
    std::optional<CaptureMethod> capture_method;
};
SHOP_API_STRUCT(PayRequest, order_id, payment_method, capture_method)

struct CaptureRequest {
    std::optional<api::Int<1, 1'000'000'000'000>> amount;  ///< minor units; absent: the whole authorization. The rest is released.
};
SHOP_API_STRUCT(CaptureRequest, amount)

struct VoidRequest {
    std::optional<api::Text<1, 500>> reason;
};
SHOP_API_STRUCT(VoidRequest, reason)

struct PaymentRefundRequest {
    std::optional<api::Int<1, 1'000'000'000'000>> amount;  ///< minor units; absent: all that is left of the capture
    std::optional<api::Text<1, 500>> reason;
};
SHOP_API_STRUCT(PaymentRefundRequest, amount, reason)

struct AuthenticationRequest {
    api::OneOf<"succeed", "fail"> result;  ///< what the customer does on the (sandbox) bank's page
};
SHOP_API_STRUCT(AuthenticationRequest, result)

struct Card {
    std::string brand;
    std::string last4;
};
SHOP_API_STRUCT(Card, brand, last4)

/// What the customer must do before the payment can go on.
struct NextAction {
    /// sandbox_3ds: POST {"result": "succeed"|"fail"} to `url`; redirect_to_url (Stripe): send the
    /// customer to `url`, then POST /payments/{id}/confirm when they are back.
    api::OneOf<"sandbox_3ds", "redirect_to_url"> type;
    std::string url;
};
SHOP_API_STRUCT(NextAction, type, url)

/// A refund of a payment.
struct RefundOut {
    std::string id;  ///< ref_…
    api::Money amount;
    std::string reason;
    api::OneOf<"pending", "succeeded", "failed"> status;
    std::optional<std::string> failure_code;
    api::Timestamp created_at;
};
SHOP_API_STRUCT(RefundOut, id, amount, reason, status, failure_code, created_at)

using PaymentStatus =
    api::OneOf<"requires_payment_method", "requires_action", "processing", "requires_capture", "succeeded", "failed", "canceled">;

struct Payment {
    api::Id<"pay"> id;
    api::Id<"ord"> order_id;
    api::Money amount;
    PaymentStatus status;
    std::string provider;
    CaptureMethod capture_method;
    Card card;
    api::Money amount_capturable;  ///< authorized and not captured yet (requires_capture)
    api::Money amount_captured;
    api::Money amount_refunded;
    std::vector<RefundOut> refunds;  ///< oldest first
    std::optional<std::string> failure_code;  ///< when failed: card_declined, insufficient_funds
    std::optional<std::string> failure_message;
    std::optional<NextAction> next_action;    ///< when requires_action
    api::Timestamp created_at;
    api::Timestamp updated_at;
};
SHOP_API_STRUCT(Payment, id, order_id, amount, status, provider, capture_method, card, amount_capturable, amount_captured, amount_refunded,
                refunds, failure_code, failure_message, next_action,
                created_at, updated_at)

struct PaymentList {
    std::vector<Payment> data;
    api::Nullable<api::Cursor> next_cursor;  ///< always null: an order's payments fit one page
};
SHOP_API_STRUCT(PaymentList, data, next_cursor)

struct ReportQuery {
    std::optional<api::Text<10, 10>> from;  ///< first day, YYYY-MM-DD (UTC); default: 30 days before `to`
    std::optional<api::Text<10, 10>> to;    ///< last day, YYYY-MM-DD (UTC), included; default: today
};
SHOP_API_STRUCT(ReportQuery, from, to)

/// Payments of one day, provider and currency (or of the whole range, in `totals`).
struct PaymentReportRow {
    std::optional<std::string> day;  ///< YYYY-MM-DD; absent in totals
    std::string provider;
    std::string currency;
    std::int64_t attempts = 0;         ///< authorizations that got an answer
    std::int64_t succeeded = 0;        ///< authorized
    std::int64_t failed = 0;           ///< declined or failed authentication
    std::int64_t success_rate_bp = 0;  ///< succeeded / attempts in basis points (10000 = 100 %)
    api::Money volume;                 ///< captured
    api::Money authorized;
    std::int64_t refunds = 0;
    api::Money refunded;
};
SHOP_API_STRUCT(PaymentReportRow, day, provider, currency, attempts, succeeded, failed, success_rate_bp, volume, authorized, refunds, refunded)

struct PaymentReport {
    std::string from;
    std::string to;
    std::vector<PaymentReportRow> days;    ///< by day, then provider and currency
    std::vector<PaymentReportRow> totals;  ///< over the range, by provider and currency
};
SHOP_API_STRUCT(PaymentReport, from, to, days, totals)

/// A Stripe webhook event as Stripe sends it: `id`, `type` and `data.object` are read; the rest
/// of Stripe's fields are allowed (the signature covers the raw bytes, checked by the service).
struct StripeEvent {
    boost::json::value value;
    bool read(const boost::json::value& v, const std::string& path, api::Reader& r) {
        if (!v.is_object() || !v.get_object().if_contains("id") || !v.get_object().if_contains("type"))
            return r.fail(path.empty() ? "body" : path, "must be a Stripe event object with id and type"), false;
        value = v;
        return true;
    }
    static boost::json::object schema(api::Schemas&) {
        return {{"type", "object"},
                {"required", boost::json::array{"id", "type"}},
                {"properties", boost::json::object{{"id", {{"type", "string"}}}, {"type", {{"type", "string"}}}, {"data", {{"type", "object"}}}}}};
    }
};

struct WebhookAck {
    bool received = true;
    bool duplicate = false;  ///< this event id was handled before: nothing was done again
};
SHOP_API_STRUCT(WebhookAck, received, duplicate)

}  // namespace shop::payment
