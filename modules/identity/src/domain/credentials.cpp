#include "domain/credentials.hpp"

#include "platform/email.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace shop::identity::domain {

std::optional<std::string> normalize_email(std::string_view email) { return shop::normalize_email(email); }

std::optional<std::string> password_weakness(std::string_view password, std::string_view email) {
    if (password.size() < 10) return "must be at least 10 characters";
    if (password.size() > 128) return "must be at most 128 characters";
    std::string lower;
    for (char c : password) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    static constexpr std::array<std::string_view, 12> kCommon = {
        "password123", "1234567890", "qwertyuiop", "password1234", "iloveyou12", "letmein123",
        "welcome123", "administrator", "passw0rd123", "0123456789", "1q2w3e4r5t", "abc1234567"};
    if (std::find(kCommon.begin(), kCommon.end(), lower) != kCommon.end()) return "is a well-known password";
    auto at = email.find('@');
    if (!email.empty() && (lower == email || (at != std::string_view::npos && at >= 4 && lower == email.substr(0, at))))
        return "must not be your email address";
    std::set<char> distinct(lower.begin(), lower.end());
    if (distinct.size() < 5) return "must contain at least 5 different characters";
    return std::nullopt;
}

}  // namespace shop::identity::domain
