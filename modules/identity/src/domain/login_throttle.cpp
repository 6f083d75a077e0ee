#include "domain/login_throttle.hpp"

#include <algorithm>
#include <iterator>

namespace shop::identity::domain {

namespace {
constexpr std::size_t kPruneAt = 100000;
std::string pair_key(const std::string& account, const std::string& where) { return account + '\n' + where; }
}  // namespace

std::int64_t LoginThrottle::delay_after(int failures) const noexcept {
    if (failures < policy_.free_failures) return 0;
    int doublings = failures - policy_.free_failures;
    if (doublings >= 30) return policy_.max_delay_s;
    return std::min<std::int64_t>(std::int64_t{1} << doublings, policy_.max_delay_s);
}

std::int64_t LoginThrottle::wait_s(const std::string& account, const std::string& where, bool known_device, std::int64_t now_ms) const {
    std::lock_guard lock(mu_);
    std::int64_t wait_ms = 0;
    if (auto it = pairs_.find(pair_key(account, where)); it != pairs_.end() && now_ms - it->second.last_ms < policy_.reset_after_s * 1000)
        wait_ms = std::max<std::int64_t>(0, it->second.last_ms + delay_after(it->second.failures) * 1000 - now_ms);
    if (!known_device) {
        if (auto it = addresses_.find(where); it != addresses_.end() && it->second.failures >= policy_.address_failures) {
            std::int64_t end = it->second.window_start_ms + policy_.address_window_s * 1000;
            if (end > now_ms) wait_ms = std::max(wait_ms, end - now_ms);
        }
    }
    return (wait_ms + 999) / 1000;
}

void LoginThrottle::failed(const std::string& account, const std::string& where, const std::string& address, bool known_device,
                           std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    if (pairs_.size() >= kPruneAt || addresses_.size() >= kPruneAt) prune(now_ms);
    auto& p = pairs_[pair_key(account, where)];
    if (now_ms - p.last_ms >= policy_.reset_after_s * 1000) p.failures = 0;
    ++p.failures;
    p.last_ms = now_ms;
    if (!known_device) {
        auto& a = addresses_[address];
        if (now_ms - a.window_start_ms >= policy_.address_window_s * 1000) a = {0, now_ms};
        ++a.failures;
    }
}

void LoginThrottle::succeeded(const std::string& account, const std::string& where) {
    std::lock_guard lock(mu_);
    pairs_.erase(pair_key(account, where));
}

void LoginThrottle::prune(std::int64_t now_ms) {
    std::erase_if(pairs_, [&](auto& kv) { return now_ms - kv.second.last_ms >= policy_.reset_after_s * 1000; });
    std::erase_if(addresses_, [&](auto& kv) { return now_ms - kv.second.window_start_ms >= policy_.address_window_s * 1000; });
}

}  // namespace shop::identity::domain
