#pragma once
// Money is integer minor units plus an ISO 4217 code. No floating point touches a price.
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace shop {

struct Money {
    std::int64_t amount = 0;  ///< minor units (cents for USD)
    std::string currency;     ///< ISO 4217, upper case

    friend bool operator==(const Money&, const Money&) = default;
};

/// True for three upper-case ASCII letters.
bool is_currency_code(std::string_view c) noexcept;

/// True for an ISO 4217 code of a currency in circulation (Debian iso-codes' list without funds,
/// precious metals, test and "no currency" codes): what a shop can price in.
bool is_iso4217_currency(std::string_view c) noexcept;

/// Number of minor-unit digits of a currency (2 for most, 0 for JPY/KRW..., 3 for BHD/KWD...).
int minor_digits(std::string_view currency) noexcept;

/// `{"amount": 1999, "currency": "USD"}`
boost::json::value to_json(const Money& m);

/// Human form for mail and logs: `USD 19.99`.
std::string format_money(const Money& m);

}  // namespace shop
