#include "platform/day_range.hpp"

#include <ctime>

#include "platform/ids.hpp"

namespace shop {

namespace {

/// Days since 1970-01-01 of a valid YYYY-MM-DD, or nullopt.
std::optional<std::int64_t> days_of(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
    int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    return static_cast<std::int64_t>(timegm(&tm)) / 86400;
}

std::string day_string(std::int64_t days) { return iso8601(days * 86'400'000).substr(0, 10); }

}  // namespace

Result<DayRange> day_range(const std::optional<std::string>& from, const std::optional<std::string>& to, int default_days) {
    std::int64_t last = now_ms() / 86'400'000;
    if (to) {
        auto d = days_of(*to);
        if (!d) return validation("to", "must be a date YYYY-MM-DD");
        last = *d;
    }
    std::int64_t first = last - (default_days - 1);
    if (from) {
        auto d = days_of(*from);
        if (!d) return validation("from", "must be a date YYYY-MM-DD");
        first = *d;
    }
    if (first > last) return validation("from", "must not be after `to`");
    return DayRange{day_string(first), day_string(last)};
}

}  // namespace shop
