#include "platform/metrics.hpp"
#include "platform/db.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

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
    out += fmt::format("# HELP shop_db_statements_total SQL statements run (BEGIN and COMMIT included), every schema.\n"
                       "# TYPE shop_db_statements_total counter\nshop_db_statements_total {}\n",
                       db::statements_executed());
    for (auto& c : collectors) c(out);
    return out;
}

std::string process_metrics() {
    // /proc/self/stat: fields after the command name (which may hold spaces, hence the last ')').
    std::ifstream stat_file("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');
    if (close == std::string::npos) return {};
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> f{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
    // Field numbers of proc(5) minus 3: state is f[0], utime 14 -> f[11], stime f[12], starttime 22 -> f[19],
    // vsize 23 -> f[20], rss 24 -> f[21] (pages).
    if (f.size() < 22) return {};
    double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    double cpu = (std::stod(f[11]) + std::stod(f[12])) / ticks;
    double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    double boot = 0;
    std::ifstream proc_stat("/proc/stat");
    for (std::string line; std::getline(proc_stat, line);)
        if (line.rfind("btime ", 0) == 0) boot = std::stod(line.substr(6));
    double start = boot + std::stod(f[19]) / ticks;
    std::error_code ec;
    std::size_t fds = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++fds;
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    return fmt::format(
        "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n# TYPE process_cpu_seconds_total counter\n"
        "process_cpu_seconds_total {}\n"
        "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\n"
        "process_resident_memory_bytes {}\n"
        "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n# TYPE process_virtual_memory_bytes gauge\n"
        "process_virtual_memory_bytes {}\n"
        "# HELP process_open_fds Number of open file descriptors.\n# TYPE process_open_fds gauge\nprocess_open_fds {}\n"
        "# HELP process_max_fds Maximum number of open file descriptors.\n# TYPE process_max_fds gauge\nprocess_max_fds {}\n"
        "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
        "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds {:.2f}\n",
        cpu, static_cast<std::uint64_t>(std::stod(f[21]) * page), f[20], fds > 0 ? fds - 1 : 0,  // minus the iterator's own fd
        static_cast<std::uint64_t>(lim.rlim_cur), start);
}

}  // namespace shop
