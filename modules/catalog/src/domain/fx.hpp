#pragma once
// Prices in currencies without an explicit price: converted from the base currency's price with
// the rates an admin set. Integer arithmetic only. No I/O.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/money.hpp"

namespace shop::catalog::domain {

/// 1 unit of the base currency = units / 10^scale units of the currency.
struct FxRate {
    std::int64_t units = 0;
    int scale = 0;
    std::string text;  ///< as given, normalised ("0.9215")
};

/// The rates to the base currency, by currency.
struct FxTable {
    std::string base;
    std::map<std::string, FxRate, std::less<>> rates;
};

/// Whether `code` is an active ISO 4217 currency code.
bool is_iso4217(std::string_view code) noexcept;

/// A positive decimal rate such as "0.9215" or "151.2": at most 9 digits before the point and 8
/// after it. nullopt for anything else (signs, exponents, zero).
std::optional<FxRate> parse_rate(std::string_view text);

/// `base_amount` (minor units of `base`) in the currency of `rate` (`to`): amount × rate, moved
/// between the two currencies' minor units (JPY 0 decimals, USD 2, KWD 3), rounded half up to a
/// whole minor unit of `to`. nullopt when the result would exceed 10^15 minor units.
std::optional<std::int64_t> convert(std::int64_t base_amount, std::string_view base, std::string_view to, const FxRate& rate);

/// A price as shown: explicit, or converted from the base price.
struct ShownPrice {
    std::int64_t amount = 0;
    bool converted = false;
};

/// The price of a variant with explicit `prices` in `currency`: its own price there, else its
/// base-currency price converted at the table's rate; nullopt without either.
std::optional<ShownPrice> shown_price(const std::vector<Money>& prices, std::string_view currency, const FxTable& fx);

/// A product's "from" price per currency: the lowest shown price of its variants (each given by
/// its explicit prices), in every currency one of them has a price in or the table converts to.
std::map<std::string, std::int64_t> lowest_prices(const std::vector<const std::vector<Money>*>& variants, const FxTable& fx);

}  // namespace shop::catalog::domain
