#pragma once
#include <boost/describe.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace shop::identity::events {

/// A new customer account exists.
struct UserRegistered {
    static constexpr std::string_view kType = "identity.user_registered.v1";
    std::string user_id;
    std::string email;
    std::string name;
    static constexpr auto kKey = &UserRegistered::user_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(UserRegistered, (), (user_id, email, name))

/// A password reset was asked for an existing account: mail `token` (one-time, valid
/// `valid_minutes`) to `email`. Only the token's hash is kept by identity.
struct PasswordResetRequested {
    static constexpr std::string_view kType = "identity.password_reset_requested.v1";
    std::string user_id;
    std::string email;
    std::string name;
    std::string token;
    std::int64_t valid_minutes = 0;
    static constexpr auto kKey = &PasswordResetRequested::user_id;
};
BOOST_DESCRIBE_STRUCT(PasswordResetRequested, (), (user_id, email, name, token, valid_minutes))

/// An address to confirm: mail `token` to `email`.
struct EmailVerificationRequested {
    static constexpr std::string_view kType = "identity.email_verification_requested.v1";
    std::string user_id;
    std::string email;
    std::string name;
    std::string token;
    static constexpr auto kKey = &EmailVerificationRequested::user_id;
};
BOOST_DESCRIBE_STRUCT(EmailVerificationRequested, (), (user_id, email, name, token))

/// A password was changed or reset; every other session was revoked.
struct PasswordChanged {
    static constexpr std::string_view kType = "identity.password_changed.v1";
    std::string user_id;
    std::string email;
    std::string name;
    static constexpr auto kKey = &PasswordChanged::user_id;
};
BOOST_DESCRIBE_STRUCT(PasswordChanged, (), (user_id, email, name))

/// A user changed their profile (PATCH /me): name, locale and marketing consent as they now are.
struct ProfileChanged {
    static constexpr std::string_view kType = "identity.profile_changed.v1";
    std::string user_id;
    std::string email;
    std::string name;
    std::string locale;  ///< BCP 47, "" = not set
    bool marketing_consent{};
    static constexpr auto kKey = &ProfileChanged::user_id;
};
BOOST_DESCRIBE_STRUCT(ProfileChanged, (), (user_id, email, name, locale, marketing_consent))

}  // namespace shop::identity::events
