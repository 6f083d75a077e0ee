#pragma once
#include <boost/system/error_code.hpp>

#include "platform/error.hpp"

namespace shop::identity {

/// Sign-in outcomes beyond a wrong password (shop::errc::unauthorized).
enum class login_errc {
    totp_required = 1,  ///< 401 totp_required: two-factor sign-in is on; send `totp` (a code or a recovery code)
    totp_invalid,       ///< 401 totp_invalid: the code is wrong, too old, already used, or not a recovery code of the account
};

const shop::ErrorCategory& login_category() noexcept;
inline boost::system::error_code make_error_code(login_errc e) noexcept { return {static_cast<int>(e), login_category()}; }

}  // namespace shop::identity

template <>
struct boost::system::is_error_code_enum<shop::identity::login_errc> : std::true_type {};
