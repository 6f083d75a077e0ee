#pragma once
#include <boost/system/error_code.hpp>

#include "platform/error.hpp"

namespace shop::ordering {

enum class errc {
    cart_empty = 1,     ///< 422 cart_empty
    cart_checked_out,   ///< 409 cart_checked_out
    order_not_payable,  ///< 409 order_not_payable
    invalid_transition, ///< 409 invalid_state: the order's status does not allow this
    coupon_unavailable, ///< 409 coupon_unavailable: the cart's coupon stopped applying (used up, expired) before the order was placed
};

const shop::ErrorCategory& ordering_category() noexcept;
inline boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), ordering_category()}; }

}  // namespace shop::ordering

template <>
struct boost::system::is_error_code_enum<shop::ordering::errc> : std::true_type {};
