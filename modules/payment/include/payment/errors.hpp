#pragma once
#include <boost/system/error_code.hpp>

#include "platform/error.hpp"

namespace shop::payment {

enum class errc {
    order_not_payable = 1,  ///< 409 order_not_payable
    payment_in_progress,    ///< 409 payment_in_progress
    order_already_paid,     ///< 409 order_already_paid
    invalid_state,          ///< 409 invalid_state: the payment's status does not allow this
    operation_in_progress,  ///< 409 operation_in_progress: a capture or void of this payment is under way
    provider_declined,      ///< 409 provider_declined: the provider refused the operation
};

const shop::ErrorCategory& payment_category() noexcept;
inline boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), payment_category()}; }

}  // namespace shop::payment

template <>
struct boost::system::is_error_code_enum<shop::payment::errc> : std::true_type {};
