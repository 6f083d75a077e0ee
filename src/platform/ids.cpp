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

}  // namespace shop
