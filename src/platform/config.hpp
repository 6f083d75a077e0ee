#pragma once
// Layered configuration: built-in defaults (config/shop.json, embedded at build time)
// < a file given with --config < SHOP_* environment variables < command-line flags.
// The defaults define the set of known keys: an unknown key anywhere stops the start.
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace shop {

class Config {
public:
    /// Defaults only (the embedded config/shop.json).
    static Config defaults();
    /// Parses JSON with // and /* */ comments and trailing commas; throws std::runtime_error
    /// naming the source on a syntax error.
    static boost::json::value parse_with_comments(std::string_view text, std::string_view source);

    /// Overlays a JSON document; every key must already exist with a compatible type.
    /// Throws std::runtime_error naming the first unknown key (`http.prot`) and `source`.
    void overlay(const boost::json::value& doc, std::string_view source);
    /// Overlays a file (see overlay).
    void overlay_file(const std::string& path);
    /// Overlays SHOP_* variables: SHOP_HTTP_BODY_LIMIT sets http.body_limit. Unknown SHOP_*
    /// names stop the start. `env` is a list of NAME=VALUE strings (environ).
    void overlay_env(const std::vector<std::string>& env);
    /// Sets one dotted key from a string (flags, env): converted to the default's type.
    void set(std::string_view dotted_key, std::string_view value, std::string_view source);

    std::string get_string(std::string_view dotted_key) const;
    std::int64_t get_int(std::string_view dotted_key) const;
    bool get_bool(std::string_view dotted_key) const;
    std::vector<std::string> get_strings(std::string_view dotted_key) const;
    const boost::json::value& get(std::string_view dotted_key) const;

    /// The effective configuration with secret values (and passwords inside URLs) replaced by
    /// "***" (for `shop config`).
    boost::json::value redacted() const;
    /// Environment variable name of a dotted key: http.body_limit -> SHOP_HTTP_BODY_LIMIT.
    static std::string env_name(std::string_view dotted_key);

private:
    boost::json::value root_;
};

/// A URL with its password replaced by "***" (postgresql://shop:***@db/shop), for logs and `shop config`.
std::string redact_url_password(std::string_view url);

/// Environment of this process as NAME=VALUE strings.
std::vector<std::string> process_environment();

}  // namespace shop
