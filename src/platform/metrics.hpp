#pragma once
// Prometheus text exposition: request counters and a latency histogram by route and status,
// plus gauges contributed by other components at scrape time. Thread-safe.
#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace shop {

class Metrics {
public:
    static constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                        0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   2.5};
    /// Records one served request.
    void observe_request(std::string_view method, std::string_view route, int status, double seconds);
    /// Counts a request refused by the rate limiter (shop_rate_limited_total).
    void count_rate_limited() noexcept { rate_limited_.fetch_add(1, std::memory_order_relaxed); }
    /// Adds a collector that appends Prometheus text at scrape time.
    void add_collector(std::function<void(std::string&)> collector);
    /// The whole exposition.
    std::string render();

private:
    struct Series {
        std::array<std::uint64_t, kBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    std::atomic<std::uint64_t> rate_limited_{0};
    std::mutex mu_;
    std::map<std::string, Series, std::less<>> series_;  // key: method \x1f route \x1f status
    std::vector<std::function<void(std::string&)>> collectors_;
};

/// The standard process_* series of this process (CPU seconds, resident and virtual memory, open
/// and maximum file descriptors, start time), read from /proc.
std::string process_metrics();

/// Escapes a Prometheus label value.
std::string prom_label(std::string_view v);

}  // namespace shop
