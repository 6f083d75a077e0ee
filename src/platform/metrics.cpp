#include "platform/metrics.hpp"

#include <fmt/format.h>

namespace shop {

std::string prom_label(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\' || c == '"') out.push_back('\\');
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out.push_back(c);
    }
    return out;
}

void Metrics::observe_request(std::string_view method, std::string_view route, int status, double seconds) {
    std::string key;
    key.reserve(method.size() + route.size() + 6);
    key.append(method).push_back('\x1f');
    key.append(route).push_back('\x1f');
    key.append(std::to_string(status));
    std::lock_guard lock(mu_);
    auto it = series_.find(key);
    if (it == series_.end()) it = series_.emplace(std::move(key), Series{}).first;
    auto& s = it->second;
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i]) {
            ++s.buckets[i];
            break;
        }
    ++s.count;
    s.sum += seconds;
}

void Metrics::add_collector(std::function<void(std::string&)> collector) {
    std::lock_guard lock(mu_);
    collectors_.push_back(std::move(collector));
}

std::string Metrics::render() {
    std::string out;
    std::vector<std::function<void(std::string&)>> collectors;
    {
        std::lock_guard lock(mu_);
        out += "# HELP shop_http_requests_total HTTP requests served, by route and status.\n"
               "# TYPE shop_http_requests_total counter\n";
        for (auto& [key, s] : series_) {
            auto a = key.find('\x1f'), b = key.find('\x1f', a + 1);
            out += fmt::format("shop_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", key.substr(0, a),
                               prom_label(key.substr(a + 1, b - a - 1)), key.substr(b + 1), s.count);
        }
        out += "# HELP shop_http_request_duration_seconds HTTP request latency, by route and status.\n"
               "# TYPE shop_http_request_duration_seconds histogram\n";
        for (auto& [key, s] : series_) {
            auto a = key.find('\x1f'), b = key.find('\x1f', a + 1);
            std::string labels = fmt::format("method=\"{}\",route=\"{}\",status=\"{}\"", key.substr(0, a),
                                             prom_label(key.substr(a + 1, b - a - 1)), key.substr(b + 1));
            std::uint64_t cum = 0;
            for (std::size_t i = 0; i < kBuckets.size(); ++i) {
                cum += s.buckets[i];
                out += fmt::format("shop_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, kBuckets[i], cum);
            }
            out += fmt::format("shop_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, s.count);
            out += fmt::format("shop_http_request_duration_seconds_sum{{{}}} {}\n", labels, s.sum);
            out += fmt::format("shop_http_request_duration_seconds_count{{{}}} {}\n", labels, s.count);
        }
        collectors = collectors_;
    }
    out += fmt::format("# HELP shop_rate_limited_total Requests refused with 429 by the per-address rate limit.\n"
                       "# TYPE shop_rate_limited_total counter\nshop_rate_limited_total {}\n",
                       rate_limited_.load(std::memory_order_relaxed));
    for (auto& c : collectors) c(out);
    return out;
}

}  // namespace shop
