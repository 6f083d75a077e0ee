#pragma once
// Layered configuration: built-in defaults < a file given with --config < SHOP_* environment
// variables < command-line flags. Every key is declared once in a table of ConfigKey (its type,
// range or choices, whether it is a secret); every value is checked against it when it is set, so
// a bad value stops any command at load, with an error naming the key, the value, the expected
// form and where it came from (file:line:column, environment variable, flag).
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shop {

/// The form a configuration value must have.
enum class ConfigType {
    integer,      ///< whole number within [min, max]
    duration,     ///< whole number of the unit the key's name ends with (_ms, _s) within [min, max]
    boolean,      ///< true/false (environment and flags: also 1/0, yes/no)
    string,       ///< text; non-empty unless optional
    token,        ///< text starting with one of `choices` ("sk_|rk_"); empty only if optional
    path,         ///< a file-system path; when it exists, a directory
    enumeration,  ///< one of `choices` ("normal|full")
    currency,     ///< an ISO 4217 currency code in use (USD, EUR, JPY)
    address,      ///< an IPv4 or IPv6 address
    url,          ///< an absolute URL with a scheme from `choices` ("http|https"); empty only if optional
    origin_list,  ///< a list of origins: scheme://host[:port], nothing after it
    cidr_list,    ///< a list of IP addresses or CIDR blocks (10.0.0.0/8, fd00::/8)
    email_list,   ///< a list of email addresses (ops@example.com)
};

/// One configuration key: the single declaration every layer is checked against.
struct ConfigKey {
    std::string_view key;          ///< dotted: http.rate_limit.burst
    ConfigType type;
    std::string_view description;  ///< one line, for `shop config --describe` and errors
    std::int64_t min = 0;          ///< integer, duration
    std::int64_t max = 0;
    std::string_view choices = {}; ///< enumeration values, url schemes or token prefixes, '|'-separated
    bool optional = false;         ///< string, token, url: may be empty (meaning: not set)
    bool secret = false;           ///< never printed: `shop config` shows "***"
    bool env_only = false;         ///< a secret that must not sit in a file: read from the environment only
};

/// Where an effective value came from, as `shop config` shows it.
struct ConfigSource {
    std::string layer;   ///< "default", "file", "env", "flag" (or what a test passes)
    std::string detail;  ///< "/etc/shop/shop.json:7:16", "SHOP_PORT", "--port"; "" for defaults
    std::string text() const { return detail.empty() ? layer : layer + " " + detail; }
};

class Config {
public:
    /// `keys` lists every key exactly once (it must outlive the Config); `defaults_json` (JSON with
    /// comments) gives each one its default. A key in one and not the other, or a default of the
    /// wrong form, throws std::logic_error: that is a bug of the build, not of the operator.
    Config(std::span<const ConfigKey> keys, std::string_view defaults_json);

    /// Overlays a JSON document with comments (a --config file). Throws std::runtime_error on a
    /// syntax error, a duplicate key, an unknown key (with a "did you mean"), a section that is not
    /// an object, or a bad value — each naming `source_name:line:column`.
    void overlay_text(std::string_view text, std::string_view source_name);
    /// Reads and overlays a file (see overlay_text); a secret marked env_only in it is refused
    /// naming the environment variable to use instead (never the value).
    void overlay_file(const std::string& path);
    /// Overlays SHOP_* variables: SHOP_HTTP_BODY_LIMIT sets http.body_limit. Lists are
    /// comma-separated (`a,b`; blanks around items ignored) or a JSON array (`["a","b"]`); an empty
    /// value is an empty list. Unknown SHOP_* names stop the start. `env` holds NAME=VALUE strings.
    void overlay_env(const std::vector<std::string>& env);
    /// Sets one key from text (a flag, a test), converted and checked like an environment value.
    void set(std::string_view dotted_key, std::string_view value, ConfigSource source);
    /// Shorthand for set(key, value, {source, ""}).
    void set(std::string_view dotted_key, std::string_view value, std::string_view source) {
        set(dotted_key, value, ConfigSource{std::string(source), ""});
    }

    std::string get_string(std::string_view dotted_key) const;
    std::int64_t get_int(std::string_view dotted_key) const;
    bool get_bool(std::string_view dotted_key) const;
    std::vector<std::string> get_strings(std::string_view dotted_key) const;
    const boost::json::value& get(std::string_view dotted_key) const;

    /// One line of `shop config`: the key, its value as the operator would write it (secrets
    /// "***", passwords inside URLs "***") and where it came from.
    struct Entry {
        std::string key;
        std::string value;
        ConfigSource source;
        const ConfigKey* spec;
    };
    /// Every key in declaration order.
    std::vector<Entry> entries() const;
    /// The effective configuration as one JSON document, secrets masked (`shop config --json`).
    boost::json::value redacted() const;
    /// The declaration of a key, or nullptr.
    const ConfigKey* spec(std::string_view dotted_key) const;
    /// Environment variable name of a dotted key: http.body_limit -> SHOP_HTTP_BODY_LIMIT.
    static std::string env_name(std::string_view dotted_key);
    /// The expected form of a key's value in words ("an integer from 0 to 65535").
    static std::string expected_form(const ConfigKey& k);

private:
    void assign(const ConfigKey& k, const boost::json::value& v, const ConfigSource& source);
    std::string did_you_mean(std::string_view unknown, bool env) const;

    std::span<const ConfigKey> keys_;
    std::map<std::string, boost::json::value, std::less<>> values_;
    std::map<std::string, ConfigSource, std::less<>> sources_;
};

/// Edit distance (insertions, deletions, substitutions, transpositions of neighbours).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// A URL with its password replaced by "***" (postgresql://shop:***@db/shop), for logs and `shop config`.
std::string redact_url_password(std::string_view url);

/// Environment of this process as NAME=VALUE strings.
std::vector<std::string> process_environment();

}  // namespace shop
