#pragma once
#include <boost/describe.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace shop::payment::events {

/// The provider authorized (and, with immediate capture, captured) the order's amount.
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

}  // namespace shop::payment::events
