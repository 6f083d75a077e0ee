#pragma once
// The browser session: what the pipeline and the module that signs browsers in (identity) agree on.
// A signed-in browser holds an HttpOnly cookie with a random session token, and a readable cookie
// with the CSRF token derived from it; every cookie-authenticated unsafe request must echo the CSRF
// token in a header. A page of another origin can make the browser send the cookies but can read
// neither, so it cannot forge the header; bearer-token clients send no cookie and are unaffected.
#include <string>
#include <string_view>

#include "platform/error.hpp"

namespace shop::web_session {

inline constexpr std::string_view kSessionCookie = "shop_session";  ///< HttpOnly: the session token
inline constexpr std::string_view kCsrfCookie = "shop_csrf";        ///< readable by the page's script
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

/// The CSRF token of a session token: derived (keyed hash), so it is bound to that session, and
/// knowing it reveals nothing of the session token.
std::string csrf_token(std::string_view session_token);

/// Whether `method` changes state (anything but GET, HEAD and OPTIONS).
bool unsafe_method(std::string_view method) noexcept;

/// The value of cookie `name` in a `Cookie` header, "" when absent.
std::string cookie(std::string_view cookie_header, std::string_view name);

/// 403 `csrf_failed`: a cookie-authenticated unsafe request without its session's CSRF token.
Error csrf_failed(std::string detail);

}  // namespace shop::web_session
