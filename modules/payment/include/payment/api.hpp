#pragma once
// payment: payment intents, attempts and providers (the built-in sandbox for now).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/context.hpp"
#include "platform/error.hpp"
#include "platform/money.hpp"

namespace shop::payment {

struct PaymentSummary {
    std::string id;
    std::string order_id;
    std::string status;  ///< requires_payment_method | requires_action | processing | succeeded | failed | canceled
    Money amount;
};

/// The service face of payment. Thread-safe.
class PaymentApi {
public:
    virtual ~PaymentApi() = default;
    /// Every payment attempt of an order, oldest first (no ownership check: callers check first).
    virtual std::vector<PaymentSummary> payments_of_order(std::string_view order_id) = 0;
};

}  // namespace shop::payment
