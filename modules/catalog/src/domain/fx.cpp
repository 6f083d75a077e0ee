#include "domain/fx.hpp"

#include <algorithm>
#include <array>

namespace shop::catalog::domain {

namespace {
// ISO 4217 active codes (2024 list), sorted, for binary search.
constexpr std::array<std::string_view, 155> kIso4217{
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL",
    "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP",
    "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR",
    "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR",
    "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
    "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX",
    "USD", "UYU", "UZS", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG"};

__int128 pow10(int n) {
    __int128 p = 1;
    while (n-- > 0) p *= 10;
    return p;
}
}  // namespace

bool is_iso4217(std::string_view code) noexcept { return std::binary_search(kIso4217.begin(), kIso4217.end(), code); }

std::optional<FxRate> parse_rate(std::string_view t) {
    auto dot = t.find('.');
    auto whole = t.substr(0, dot);
    auto frac = dot == std::string_view::npos ? std::string_view{} : t.substr(dot + 1);
    if (whole.empty() || whole.size() > 9 || frac.size() > 8 || (dot != std::string_view::npos && frac.empty())) return std::nullopt;
    FxRate r;
    for (char c : whole) {
        if (c < '0' || c > '9') return std::nullopt;
        r.units = r.units * 10 + (c - '0');
    }
    for (char c : frac) {
        if (c < '0' || c > '9') return std::nullopt;
        r.units = r.units * 10 + (c - '0');
    }
    r.scale = static_cast<int>(frac.size());
    // Trailing zeros say nothing: "1.50" is "1.5".
    while (r.scale > 0 && r.units % 10 == 0) {
        r.units /= 10;
        --r.scale;
    }
    if (r.units == 0) return std::nullopt;
    std::string digits = std::to_string(r.units);
    if (static_cast<int>(digits.size()) <= r.scale) digits.insert(0, static_cast<std::size_t>(r.scale) - digits.size() + 1, '0');
    r.text = r.scale ? digits.substr(0, digits.size() - r.scale) + "." + digits.substr(digits.size() - r.scale) : digits;
    return r;
}

std::optional<std::int64_t> convert(std::int64_t base_amount, std::string_view base, std::string_view to, const FxRate& rate) {
    if (base_amount < 0 || rate.units <= 0) return std::nullopt;
    // amount_to = base_amount / 10^d_base × units / 10^scale × 10^d_to
    __int128 num = static_cast<__int128>(base_amount) * rate.units * pow10(minor_digits(to));
    __int128 den = pow10(minor_digits(base) + rate.scale);
    __int128 out = (num + den / 2) / den;  // half up (amounts are never negative)
    if (out > static_cast<__int128>(1'000'000'000'000'000LL)) return std::nullopt;
    return static_cast<std::int64_t>(out);
}

std::optional<ShownPrice> shown_price(const std::vector<Money>& prices, std::string_view currency, const FxTable& fx) {
    const Money* base = nullptr;
    for (auto& m : prices) {
        if (m.currency == currency) return ShownPrice{m.amount, false};
        if (m.currency == fx.base) base = &m;
    }
    if (!base) return std::nullopt;
    auto rate = fx.rates.find(currency);
    if (rate == fx.rates.end()) return std::nullopt;
    auto amount = convert(base->amount, fx.base, currency, rate->second);
    if (!amount) return std::nullopt;
    return ShownPrice{*amount, true};
}

std::map<std::string, std::int64_t> lowest_prices(const std::vector<const std::vector<Money>*>& variants, const FxTable& fx) {
    std::vector<std::string> currencies;
    for (auto& [c, r] : fx.rates) currencies.push_back(c);
    for (auto* v : variants)
        for (auto& m : *v) currencies.push_back(m.currency);
    std::sort(currencies.begin(), currencies.end());
    currencies.erase(std::unique(currencies.begin(), currencies.end()), currencies.end());
    std::map<std::string, std::int64_t> out;
    for (auto& c : currencies)
        for (auto* v : variants)
            if (auto shown = shown_price(*v, c, fx))
                if (auto [it, fresh] = out.emplace(c, shown->amount); !fresh) it->second = std::min(it->second, shown->amount);
    return out;
}

}  // namespace shop::catalog::domain
