#pragma once
// Structured JSON logs, one object per line on stderr (or a file). Thread-safe. One-shot commands
// (`shop migrate`, `shop seed`...) log as plain text for the person at the terminal instead.
// A small writer of our own rather than spdlog: every line is a JSON object escaped by Boost.JSON
// and written with one write(2) of the whole line, which is all we need (no lock, no stdio buffer
// to flush, lines of concurrent threads never interleave); spdlog's pattern formatter cannot
// escape JSON.
#include <boost/json/object.hpp>
#include <cstdio>
#include <string>
#include <string_view>

namespace shop {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

/// Parses "debug|info|warn|error|off"; throws std::invalid_argument otherwise.
LogLevel parse_log_level(std::string_view s);

/// json: `{"ts":..., "level":..., "msg":..., <fields>}` per line (servers, log collectors);
/// text: `shop: warning: msg (key=value, ...)` per line (a person running a one-shot command).
enum class LogFormat { json, text };

class Logger {
public:
    explicit Logger(LogLevel level = LogLevel::info, std::FILE* out = stderr, LogFormat format = LogFormat::json);

    bool enabled(LogLevel l) const noexcept { return l >= level_; }
    void set_level(LogLevel l) noexcept { level_ = l; }

    /// Writes one line in the logger's format.
    void log(LogLevel l, std::string_view msg, boost::json::object fields = {});
    void debug(std::string_view m, boost::json::object f = {}) { log(LogLevel::debug, m, std::move(f)); }
    void info(std::string_view m, boost::json::object f = {}) { log(LogLevel::info, m, std::move(f)); }
    void warn(std::string_view m, boost::json::object f = {}) { log(LogLevel::warn, m, std::move(f)); }
    void error(std::string_view m, boost::json::object f = {}) { log(LogLevel::error, m, std::move(f)); }

private:
    LogLevel level_;
    int fd_;
    LogFormat format_;
};

}  // namespace shop
