#include "platform/log.hpp"

#include <boost/json.hpp>
#include <cerrno>
#include <stdexcept>

#include <unistd.h>

#include "platform/ids.hpp"

namespace shop {

LogLevel parse_log_level(std::string_view s) {
    if (s == "debug") return LogLevel::debug;
    if (s == "info") return LogLevel::info;
    if (s == "warn") return LogLevel::warn;
    if (s == "error") return LogLevel::error;
    if (s == "off") return LogLevel::off;
    throw std::invalid_argument("log level must be debug, info, warn, error or off");
}

Logger::Logger(LogLevel level, std::FILE* out, LogFormat format) : level_(level), fd_(fileno(out)), format_(format) { std::fflush(out); }

namespace {
std::string text_line(LogLevel l, std::string_view msg, const boost::json::object& fields) {
    static constexpr std::string_view kWords[] = {"debug: ", "", "warning: ", "error: ", ""};
    std::string line = "shop: ";
    line.append(kWords[static_cast<int>(l)]).append(msg);
    const char* sep = " (";
    for (auto& kv : fields) {
        line.append(sep).append(kv.key()).append("=");
        line.append(kv.value().is_string() ? std::string(kv.value().get_string()) : boost::json::serialize(kv.value()));
        sep = ", ";
    }
    if (!fields.empty()) line.append(")");
    return line;
}
}  // namespace

void Logger::log(LogLevel l, std::string_view msg, boost::json::object fields) {
    if (!enabled(l)) return;
    static constexpr std::string_view kNames[] = {"debug", "info", "warn", "error", "off"};
    std::string line;
    if (format_ == LogFormat::text) {
        line = text_line(l, msg, fields);
    } else {
        boost::json::object o;
        o.reserve(fields.size() + 3);
        o["ts"] = now_iso8601();
        o["level"] = kNames[static_cast<int>(l)];
        o["msg"] = msg;
        for (auto& kv : fields) o[kv.key()] = std::move(kv.value());
        line = boost::json::serialize(o);
    }
    line.push_back('\n');
    std::string_view rest = line;
    while (!rest.empty()) {
        ssize_t n = ::write(fd_, rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // nowhere to report a failing log; never throw from here
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace shop
