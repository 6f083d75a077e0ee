#pragma once
#include <boost/describe.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace shop::payment::events {

/// The provider authorized the order's amount: captured with it (`captured`, automatic capture), or
/// held on the card until an admin captures or voids it (manual capture).
struct PaymentAuthorized {
    static constexpr std::string_view kType = "payment.payment_authorized.v1";
    std::string payment_id;
    std::string order_id;
    std::int64_t amount{};
    std::string currency;
    std::string provider;
    std::string card_brand;
    std::string card_last4;
    bool captured{};
    static constexpr auto kKey = &PaymentAuthorized::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(PaymentAuthorized, (), (payment_id, order_id, amount, currency, provider, card_brand, card_last4, captured))

/// The provider declined: the order stays payable.
struct PaymentFailed {
    static constexpr std::string_view kType = "payment.payment_failed.v1";
    std::string payment_id;
    std::string order_id;
    std::string failure_code;
    std::string failure_message;
    static constexpr auto kKey = &PaymentFailed::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(PaymentFailed, (), (payment_id, order_id, failure_code, failure_message))

/// Money went back to the customer (the order could not take the payment, or an admin refunded).
/// A refund ordering asked for keeps its id: `refund_id` is the request's.
struct PaymentRefunded {
    static constexpr std::string_view kType = "payment.payment_refunded.v1";
    std::string payment_id;
    std::string refund_id;
    std::string order_id;
    std::int64_t amount{};
    std::string currency;
    std::string reason;
    static constexpr auto kKey = &PaymentRefunded::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(PaymentRefunded, (), (payment_id, refund_id, order_id, amount, currency, reason))

/// An authorization was captured (manual capture): `amount` was taken, `released` went back to the card.
struct PaymentCaptured {
    static constexpr std::string_view kType = "payment.payment_captured.v1";
    std::string payment_id;
    std::string order_id;
    std::int64_t amount{};
    std::int64_t released{};
    std::string currency;
    static constexpr auto kKey = &PaymentCaptured::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(PaymentCaptured, (), (payment_id, order_id, amount, released, currency))

/// An authorization was voided before any capture: nothing was taken.
struct PaymentVoided {
    static constexpr std::string_view kType = "payment.payment_voided.v1";
    std::string payment_id;
    std::string order_id;
    std::int64_t amount{};
    std::string currency;
    std::string reason;
    static constexpr auto kKey = &PaymentVoided::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(PaymentVoided, (), (payment_id, order_id, amount, currency, reason))

/// A refund ordering asked for (`refund_id`, see ordering.refund_requested) could not be made:
/// nothing (or not that much) is left to refund, or the provider refused.
struct RefundFailed {
    static constexpr std::string_view kType = "payment.refund_failed.v1";
    std::string refund_id;
    std::string order_id;
    std::string payment_id;  ///< may be empty: no payment took money for the order
    std::string failure_code;
    static constexpr auto kKey = &RefundFailed::order_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(RefundFailed, (), (refund_id, order_id, payment_id, failure_code))

}  // namespace shop::payment::events
