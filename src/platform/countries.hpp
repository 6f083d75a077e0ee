#pragma once
#include <string_view>

namespace shop {

/// True when `code` is an officially assigned ISO 3166-1 alpha-2 country code, in upper case
/// (`US`, `DE`), plus `XK` (Kosovo: user-assigned, but what carriers and payment providers use).
bool is_country_code(std::string_view code) noexcept;

}  // namespace shop
