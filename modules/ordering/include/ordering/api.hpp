#pragma once
// ordering: checkout, orders and their state machine.
#include <cstdint>
#include <string>
#include <string_view>

#include "platform/context.hpp"
#include "platform/error.hpp"
#include "platform/money.hpp"

namespace shop::ordering {

/// What payment needs of an order.
struct PayableOrder {
    std::string id;
    std::string number;
    std::string status;
    std::string customer_id;  ///< empty for guests
    std::string email;
    Money total;
    std::int64_t payable_until_ms = 0;  ///< payments after this are refused
};

/// The service face of ordering. Thread-safe.
class OrderingApi {
public:
    virtual ~OrderingApi() = default;
    /// The order if the caller may see it (its customer, the guest holding the cart token that
    /// placed it, or an admin); not_found otherwise.
    virtual Result<PayableOrder> order_for_payment(const Ctx& ctx, std::string_view order_id, std::string_view cart_token) = 0;
};

}  // namespace shop::ordering
