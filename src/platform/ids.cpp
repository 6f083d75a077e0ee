#include "platform/ids.hpp"

#include <sodium.h>

#include <array>
#include <chrono>
#include <ctime>
#include <mutex>

#include <fmt/format.h>

namespace shop {
namespace {
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

struct Monotonic {
    std::mutex mu;
    std::int64_t last_ms = 0;
    std::array<std::uint8_t, 10> last_rand{};
};
Monotonic& state() {
    static Monotonic s;
    return s;
}
}  // namespace

std::int64_t now_ms() noexcept {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string new_id(std::string_view prefix) {
    std::array<std::uint8_t, 16> bytes{};
    std::int64_t ms = now_ms();
    {
        auto& s = state();
        std::lock_guard lock(s.mu);
        if (ms <= s.last_ms) {
            // Same (or earlier, clock went back) millisecond: increment the random part so ids stay ordered.
            ms = s.last_ms;
            for (int i = 9; i >= 0; --i)
                if (++s.last_rand[i] != 0) break;
        } else {
            s.last_ms = ms;
            randombytes_buf(s.last_rand.data(), s.last_rand.size());
            s.last_rand[0] &= 0x7f;  // headroom for increments
        }
        for (int i = 0; i < 6; ++i) bytes[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
        std::copy(s.last_rand.begin(), s.last_rand.end(), bytes.begin() + 6);
    }
    std::string out;
    out.reserve(prefix.size() + 27);
    out.append(prefix);
    out.push_back('_');
    // 128 bits -> 26 base32 chars (first char carries 3 bits).
    unsigned __int128 v = 0;
    for (auto b : bytes) v = (v << 8) | b;
    char buf[26];
    for (int i = 25; i >= 0; --i) {
        buf[i] = kCrockford[static_cast<unsigned>(v & 31)];
        v >>= 5;
    }
    out.append(buf, 26);
    return out;
}

bool is_id(std::string_view id, std::string_view prefix) noexcept {
    if (id.size() != prefix.size() + 27 || id.substr(0, prefix.size()) != prefix || id[prefix.size()] != '_')
        return false;
    for (char c : id.substr(prefix.size() + 1))
        if (std::string_view(kCrockford).find(c) == std::string_view::npos) return false;
    return true;
}

std::string iso8601(std::int64_t epoch_ms) {
    std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epoch_ms % 1000));
}

namespace {
// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
}  // namespace

std::optional<std::int64_t> parse_rfc3339(std::string_view t) noexcept {
    auto digits = [&](std::size_t at, std::size_t n, int& out) {
        if (at + n > t.size()) return false;
        out = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (t[i] < '0' || t[i] > '9') return false;
            out = out * 10 + (t[i] - '0');
        }
        return true;
    };
    int y, mo, d, h, mi, s;
    if (!digits(0, 4, y) || t.size() < 20 || t[4] != '-' || !digits(5, 2, mo) || t[7] != '-' || !digits(8, 2, d) ||
        (t[10] != 'T' && t[10] != 't') || !digits(11, 2, h) || t[13] != ':' || !digits(14, 2, mi) || t[16] != ':' || !digits(17, 2, s))
        return std::nullopt;
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || s > 59)
        return std::nullopt;
    std::size_t i = 19;
    std::int64_t ms = 0;
    if (i < t.size() && t[i] == '.') {
        std::size_t start = ++i;
        int scale = 100;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
            ms += (t[i] - '0') * scale;
            scale /= 10;
            ++i;
        }
        if (i == start || i - start > 9) return std::nullopt;
    }
    std::int64_t offset_min = 0;
    if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
        ++i;
    } else if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
        int oh, om;
        if (!digits(i + 1, 2, oh) || i + 3 >= t.size() || t[i + 3] != ':' || !digits(i + 4, 2, om) || oh > 23 || om > 59) return std::nullopt;
        offset_min = (oh * 60 + om) * (t[i] == '+' ? 1 : -1);
        i += 6;
    } else {
        return std::nullopt;
    }
    if (i != t.size()) return std::nullopt;
    std::int64_t secs = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s - offset_min * 60;
    return secs * 1000 + ms;
}

}  // namespace shop
