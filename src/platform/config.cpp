#include "platform/config.hpp"

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "platform/money.hpp"
#include "platform/net.hpp"

extern char** environ;

namespace shop {
namespace json = boost::json;

std::string redact_url_password(std::string_view value) {
    // scheme://user:password@host... -> scheme://user:***@host...
    auto scheme = value.find("://");
    if (scheme == std::string_view::npos) return std::string(value);
    auto at = value.find('@', scheme + 3);
    auto colon = value.find(':', scheme + 3);
    if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) return std::string(value);
    return std::string(value.substr(0, colon + 1)) + "***" + std::string(value.substr(at));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment distance: an adjacent swap ("prot" for "port") counts as one edit.
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

namespace {

std::vector<std::string_view> split_choices(std::string_view s) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        auto bar = s.find('|');
        out.push_back(s.substr(0, bar));
        s = bar == std::string_view::npos ? std::string_view{} : s.substr(bar + 1);
    }
    return out;
}

std::string join_choices(std::string_view choices, std::string_view last_word) {
    auto c = split_choices(choices);
    std::string out;
    for (std::size_t i = 0; i < c.size(); ++i) {
        if (i > 0) out += i + 1 == c.size() ? fmt::format(" {} ", last_word) : ", ";
        out += c[i];
    }
    return out;
}

bool is_list(ConfigType t) { return t == ConfigType::origin_list || t == ConfigType::cidr_list || t == ConfigType::email_list; }
bool is_number(ConfigType t) { return t == ConfigType::integer || t == ConfigType::duration; }

std::string line_col(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    std::size_t line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
    auto nl = text.rfind('\n', offset == 0 ? 0 : offset - 1);
    std::size_t col = nl == std::string_view::npos || offset == 0 ? offset + 1 : offset - nl;
    return fmt::format("{}:{}", line, col);
}

/// Records where each key of a JSON document starts and refuses duplicate keys: Boost.JSON's
/// parse keeps the last of two equal keys silently, and gives no positions.
struct KeyPositions {
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

    struct Frame {
        bool array = false;
        std::string path;
        std::set<std::string, std::less<>> keys;
    };
    const char* begin;
    const char* end;
    std::vector<Frame> stack;
    std::string pending;  // path of the value about to start
    std::string key;
    std::size_t key_offset = 0;
    bool key_started = false;
    std::size_t last_offset = 0;
    std::map<std::string, std::size_t, std::less<>> offsets;
    std::string duplicate;  // path of the first duplicate key
    std::size_t duplicate_offset = 0;

    KeyPositions(const char* b, const char* e) : begin(b), end(e) {}

    void seen(boost::json::string_view s) {
        if (s.data() >= begin && s.data() <= end) last_offset = static_cast<std::size_t>(s.data() - begin);
    }
    std::string child_path() const {
        if (stack.empty()) return "";
        return stack.back().array ? stack.back().path + "[]" : pending;
    }
    bool open(bool array) {
        stack.push_back({array, child_path(), {}});
        return true;
    }
    bool on_document_begin(boost::system::error_code&) { return true; }
    bool on_document_end(boost::system::error_code&) { return true; }
    bool on_array_begin(boost::system::error_code&) { return open(true); }
    bool on_array_end(std::size_t, boost::system::error_code&) {
        stack.pop_back();
        return true;
    }
    bool on_object_begin(boost::system::error_code&) { return open(false); }
    bool on_object_end(std::size_t, boost::system::error_code&) {
        stack.pop_back();
        return true;
    }
    bool on_string_part(boost::json::string_view s, std::size_t, boost::system::error_code&) { return seen(s), true; }
    bool on_string(boost::json::string_view s, std::size_t, boost::system::error_code&) { return seen(s), true; }
    bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
        bool in_text = s.data() > begin && s.data() <= end;
        seen(s);
        if (!key_started) key_offset = in_text ? last_offset - 1 : last_offset;  // its opening quote
        key_started = true;
        key.append(s.data(), s.size());
        return true;
    }
    bool on_key(boost::json::string_view s, std::size_t n, boost::system::error_code& ec) {
        on_key_part(s, n, ec);
        auto& f = stack.back();
        std::string path = f.path.empty() ? key : f.path + "." + key;
        if (!f.keys.insert(key).second && duplicate.empty()) {
            duplicate = path;
            duplicate_offset = key_offset;
        }
        offsets.emplace(path, key_offset);
        pending = std::move(path);
        key.clear();
        key_started = false;
        return true;
    }
    bool on_number_part(boost::json::string_view s, boost::system::error_code&) { return seen(s), true; }
    bool on_int64(std::int64_t, boost::json::string_view s, boost::system::error_code&) { return seen(s), true; }
    bool on_uint64(std::uint64_t, boost::json::string_view s, boost::system::error_code&) { return seen(s), true; }
    bool on_double(double, boost::json::string_view s, boost::system::error_code&) { return seen(s), true; }
    bool on_bool(bool, boost::system::error_code&) { return true; }
    bool on_null(boost::system::error_code&) { return true; }
    bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }
};

json::parse_options relaxed() {
    json::parse_options opts;
    opts.allow_comments = true;
    opts.allow_trailing_commas = true;
    return opts;
}

/// A JSON text with comments: its value and where each key starts. Throws naming name:line:column
/// on a syntax error or a duplicate key.
json::value parse_located(std::string_view text, std::string_view name, std::map<std::string, std::size_t, std::less<>>& offsets) {
    json::basic_parser<KeyPositions> p(relaxed(), text.data(), text.data() + text.size());
    boost::system::error_code ec;
    std::size_t used = p.write_some(false, text.data(), text.size(), ec);
    if (ec) throw std::runtime_error(fmt::format("file {}:{}: invalid JSON: {}", name, line_col(text, used), ec.message()));
    auto& h = p.handler();
    if (!h.duplicate.empty())
        throw std::runtime_error(fmt::format("file {}:{}: duplicate key '{}' (each key may appear once)", name,
                                             line_col(text, h.duplicate_offset), h.duplicate));
    offsets = std::move(h.offsets);
    // The walk above stops at the end of the first value: text after it ("{} {}", a stray
    // brace) is found here, and named like any other syntax error rather than thrown as
    // Boost.JSON's bare "extra data [boost.json:2 at ...]".
    json::value v = json::parse(text, ec, {}, relaxed());
    if (ec) throw std::runtime_error(fmt::format("file {}:{}: invalid JSON: {}", name, line_col(text, used), ec.message()));
    return v;
}

std::string show(const json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    return json::serialize(v);
}

}  // namespace

std::string Config::expected_form(const ConfigKey& k) {
    std::string unit;
    if (k.type == ConfigType::duration) unit = k.key.ends_with("_ms") ? " milliseconds" : k.key.ends_with("_s") ? " seconds" : "";
    switch (k.type) {
        case ConfigType::integer:
        case ConfigType::duration: return fmt::format("an integer from {} to {}{}", k.min, k.max, unit);
        case ConfigType::boolean: return "true or false";
        case ConfigType::string: return k.optional ? "a text" : "a non-empty text";
        case ConfigType::token: return fmt::format("a value starting with {}{}", join_choices(k.choices, "or"), k.optional ? " (or empty)" : "");
        case ConfigType::path: return "a directory path";
        case ConfigType::enumeration: return fmt::format("one of {}", join_choices(k.choices, "or"));
        case ConfigType::currency: return "an ISO 4217 currency code in use, in capitals (USD, EUR, JPY)";
        case ConfigType::address: return "an IPv4 or IPv6 address (0.0.0.0 or :: for every interface)";
        case ConfigType::url:
            return fmt::format("an absolute {} URL{}", join_choices(k.choices, "or"), k.optional ? " (or empty)" : "");
        case ConfigType::origin_list:
            return "a list of origins scheme://host[:port] (JSON array; environment: comma-separated)";
        case ConfigType::cidr_list:
            return "a list of IP addresses or CIDR blocks with no host bits set, e.g. 127.0.0.1, 10.0.0.0/8, fd00::/8 "
                   "(JSON array; environment: comma-separated)";
        case ConfigType::email_list: return "a list of email addresses name@domain (JSON array; environment: comma-separated)";
    }
    return "";
}

namespace {

/// Why `v` is not a valid value of `k` ("" when it is).
std::string problem_of(const ConfigKey& k, const json::value& v) {
    if (is_number(k.type)) {
        if (!v.is_int64() && !v.is_uint64()) return "not an integer";
        if (v.is_uint64() && v.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return "out of range";
        auto n = v.is_int64() ? v.get_int64() : static_cast<std::int64_t>(v.get_uint64());
        return n < k.min || n > k.max ? "out of range" : "";
    }
    if (k.type == ConfigType::boolean) return v.is_bool() ? "" : "not true or false";
    if (is_list(k.type)) {
        if (!v.is_array()) return "not a list";
        const auto& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!a[i].is_string()) return fmt::format("item {} is not a text", i);
            std::string_view s = a[i].get_string();
            if (k.type == ConfigType::cidr_list && !net::Cidr::parse(s)) return fmt::format("item {} ('{}') is not an address or CIDR block", i, s);
            if (k.type == ConfigType::email_list) {
                auto at = s.find('@');
                bool ok = at != std::string_view::npos && at > 0 && at + 1 < s.size() && s.find('@', at + 1) == std::string_view::npos &&
                          s.find_first_of(" \t\r\n,;<>\"") == std::string_view::npos && s.substr(at + 1).find('.') != std::string_view::npos;
                if (!ok) return fmt::format("item {} ('{}') is not an email address", i, s);
            }
            if (k.type == ConfigType::origin_list) {
                auto u = boost::urls::parse_absolute_uri(s);
                bool ok = u && (u->scheme() == "http" || u->scheme() == "https") && u->has_authority() && !u->host().empty() &&
                          u->path().empty() && !u->has_query() && !u->has_fragment() && !u->has_userinfo();
                if (!ok) return fmt::format("item {} ('{}') is not an origin", i, s);
            }
        }
        return "";
    }
    if (!v.is_string()) return "not a text";
    std::string_view s = v.get_string();
    if (s.empty()) {
        bool may_be_empty = k.optional && (k.type == ConfigType::string || k.type == ConfigType::token || k.type == ConfigType::url);
        return may_be_empty ? "" : "empty";
    }
    switch (k.type) {
        case ConfigType::string: return "";
        case ConfigType::token: {
            for (auto p : split_choices(k.choices))
                if (s.starts_with(p)) return "";
            return "wrong prefix";
        }
        case ConfigType::path: {
            std::error_code ec;
            if (s.find('\0') != std::string_view::npos) return "not a path";
            if (std::filesystem::exists(s, ec) && !std::filesystem::is_directory(s, ec)) return "exists and is not a directory";
            return "";
        }
        case ConfigType::enumeration: {
            auto c = split_choices(k.choices);
            return std::find(c.begin(), c.end(), s) != c.end() ? "" : "not one of the choices";
        }
        case ConfigType::currency: return is_iso4217_currency(s) ? "" : "not an ISO 4217 currency code";
        case ConfigType::address: {
            std::array<std::uint8_t, 16> bytes{};
            bool v4 = false;
            return net::parse_address(s, bytes, v4) ? "" : "not an IP address";
        }
        case ConfigType::url: {
            auto u = boost::urls::parse_absolute_uri(s);
            if (!u) return "not an absolute URL";
            auto c = split_choices(k.choices);
            if (std::find(c.begin(), c.end(), u->scheme()) == c.end()) return "wrong scheme";
            if (!u->has_authority() || u->host().empty()) return "no host";
            return "";
        }
        default: return "";
    }
}

/// A value as the operator reads it back: secrets masked, passwords in URLs masked.
std::string displayed(const ConfigKey& k, const json::value& v) {
    if (k.secret) return v.is_string() && v.get_string().empty() ? "" : "***";
    if (v.is_string()) return k.type == ConfigType::url ? redact_url_password(v.get_string()) : std::string(v.get_string());
    return json::serialize(v);
}

}  // namespace

Config::Config(std::span<const ConfigKey> keys, std::string_view defaults_json) : keys_(keys) {
    std::map<std::string, std::size_t, std::less<>> offsets;
    json::value doc = parse_located(defaults_json, "built-in defaults", offsets);
    std::set<std::string, std::less<>> declared;
    for (auto& k : keys_) {
        if (!declared.insert(std::string(k.key)).second) throw std::logic_error(fmt::format("configuration key '{}' is declared twice", k.key));
        const json::value* v = &doc;
        for (std::string_view rest = k.key; v && !rest.empty();) {
            auto dot = rest.find('.');
            v = v->is_object() ? v->get_object().if_contains(rest.substr(0, dot)) : nullptr;
            rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
        }
        if (!v) throw std::logic_error(fmt::format("configuration key '{}' has no default in config/shop.json", k.key));
        if (auto p = problem_of(k, *v); !p.empty())
            throw std::logic_error(fmt::format("the default of '{}' ({}) is not {}", k.key, show(*v), expected_form(k)));
        values_[std::string(k.key)] = *v;
        sources_[std::string(k.key)] = {"default", ""};
    }
    for (auto& entry : offsets) {
        const std::string& path = entry.first;  // a named reference: clang 14 cannot capture a structured binding
        if (!declared.count(path) && std::none_of(keys_.begin(), keys_.end(), [&](const ConfigKey& k) { return k.key.starts_with(path + "."); }))
            throw std::logic_error(fmt::format("config/shop.json key '{}' is not declared in the configuration table", path));
    }
}

const ConfigKey* Config::spec(std::string_view dotted) const {
    for (auto& k : keys_)
        if (k.key == dotted) return &k;
    return nullptr;
}

std::string Config::did_you_mean(std::string_view unknown, bool env) const {
    // The closest key by edit distance, over whole names and over their last part ("http.prot"
    // is "port" misplaced as much as misspelled); nothing when no key is close.
    std::string best;
    std::size_t best_d = std::string::npos;
    auto leaf = [](std::string_view s, char sep) { return s.substr(s.rfind(sep) == std::string_view::npos ? 0 : s.rfind(sep) + 1); };
    for (auto& k : keys_) {
        std::string name = env ? env_name(k.key) : std::string(k.key);
        std::size_t d = edit_distance(unknown, name);
        if (!env) d = std::min(d, edit_distance(leaf(unknown, '.'), leaf(name, '.')) + 1);
        if (d < best_d) {
            best_d = d;
            best = name;
        }
    }
    std::size_t limit = std::max<std::size_t>(2, unknown.size() / 4);
    return best_d <= limit ? fmt::format(" (did you mean '{}'?)", best) : "";
}

void Config::assign(const ConfigKey& k, const json::value& v, const ConfigSource& source) {
    auto p = problem_of(k, v);
    if (!p.empty()) {
        std::string value = k.secret ? "(secret, not shown)" : fmt::format("'{}'", show(v));
        if (is_list(k.type) && p.starts_with("item")) value += " (" + p + ")";
        throw std::runtime_error(fmt::format("{}: {} = {}: expected {}", source.text(), k.key, value, expected_form(k)));
    }
    values_[std::string(k.key)] = v;
    sources_[std::string(k.key)] = source;
}

void Config::overlay_text(std::string_view text, std::string_view name) {
    std::map<std::string, std::size_t, std::less<>> offsets;
    json::value doc = parse_located(text, name, offsets);
    if (!doc.is_object()) throw std::runtime_error(fmt::format("file {}:1:1: the configuration must be a JSON object", name));
    auto where = [&](const std::string& path) {
        auto it = offsets.find(path);
        return ConfigSource{"file", fmt::format("{}:{}", name, line_col(text, it == offsets.end() ? 0 : it->second))};
    };
    // Walk the document: a known key is checked and set; a section must be an object; anything
    // else is unknown.
    std::vector<std::pair<std::string, const json::value*>> todo;
    for (auto& kv : doc.get_object()) todo.emplace_back(std::string(kv.key()), &kv.value());
    for (std::size_t i = 0; i < todo.size(); ++i) {
        // Copies, not a structured binding: clang 14 cannot capture one in the lambda below.
        std::string path = todo[i].first;
        const json::value* v = todo[i].second;
        if (auto* k = spec(path)) {
            if (k->env_only && !(v->is_string() && v->get_string().empty()))
                throw std::runtime_error(fmt::format("{}: {} is a secret and is read from the environment only ({})", where(path).text(), path,
                                                     env_name(path)));
            assign(*k, *v, where(path));
            continue;
        }
        bool section = std::any_of(keys_.begin(), keys_.end(), [&](const ConfigKey& k) { return k.key.starts_with(path + "."); });
        if (!section) throw std::runtime_error(fmt::format("{}: unknown configuration key '{}'{}", where(path).text(), path, did_you_mean(path, false)));
        if (!v->is_object())
            throw std::runtime_error(fmt::format("{}: {} = {}: expected an object (a section of keys)", where(path).text(), path, show(*v)));
        for (auto& kv : v->get_object()) todo.emplace_back(path + "." + std::string(kv.key()), &kv.value());
    }
}

void Config::overlay_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(fmt::format("cannot read configuration file '{}'", path));
    std::stringstream ss;
    ss << in.rdbuf();
    overlay_text(ss.str(), path);
}

std::string Config::env_name(std::string_view dotted) {
    std::string out = "SHOP_";
    for (char c : dotted) out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return out;
}

void Config::overlay_env(const std::vector<std::string>& env) {
    for (auto& kv : env) {
        if (kv.rfind("SHOP_", 0) != 0) continue;
        auto eq = kv.find('=');
        std::string name = kv.substr(0, eq);
        std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
        const ConfigKey* found = nullptr;
        for (auto& k : keys_)
            if (env_name(k.key) == name) found = &k;
        if (!found)
            throw std::runtime_error(fmt::format("env {}: unknown configuration variable{}", name, did_you_mean(name, true)));
        set(found->key, value, ConfigSource{"env", name});
    }
}

void Config::set(std::string_view dotted, std::string_view value, ConfigSource source) {
    const ConfigKey* k = spec(dotted);
    if (!k) throw std::runtime_error(fmt::format("{}: unknown configuration key '{}'{}", source.text(), dotted, did_you_mean(dotted, false)));
    json::value v;
    if (is_number(k->type)) {
        std::int64_t n = 0;
        std::string s(value);
        std::size_t pos = 0;
        try {
            n = std::stoll(s, &pos);
        } catch (...) {
            pos = std::string::npos;
        }
        if (s.empty() || pos != s.size()) v = json::string(value);  // refused below as "not an integer"
        else v = n;
    } else if (k->type == ConfigType::boolean) {
        if (value == "true" || value == "1" || value == "yes") v = true;
        else if (value == "false" || value == "0" || value == "no") v = false;
        else v = json::string(value);
    } else if (is_list(k->type)) {
        auto trimmed = [](std::string_view s) {
            while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
            while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
            return s;
        };
        if (trimmed(value).starts_with('[')) {
            boost::system::error_code ec;
            v = json::parse(value, ec);
            if (ec) throw std::runtime_error(fmt::format("{}: {} = '{}': invalid JSON array: {}", source.text(), dotted, value, ec.message()));
        } else {
            json::array a;
            for (std::string_view rest = value; !rest.empty();) {
                auto comma = rest.find(',');
                auto item = trimmed(rest.substr(0, comma));
                if (!item.empty()) a.emplace_back(item);
                rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            }
            v = std::move(a);
        }
    } else {
        v = json::string(value);
    }
    assign(*k, v, source);
}

const json::value& Config::get(std::string_view dotted) const {
    auto it = values_.find(dotted);
    if (it == values_.end()) throw std::logic_error(fmt::format("configuration key '{}' is not declared", dotted));
    return it->second;
}
std::string Config::get_string(std::string_view k) const { return std::string(get(k).as_string()); }
std::int64_t Config::get_int(std::string_view k) const {
    auto& v = get(k);
    return v.is_uint64() ? static_cast<std::int64_t>(v.get_uint64()) : v.as_int64();
}
bool Config::get_bool(std::string_view k) const { return get(k).as_bool(); }
std::vector<std::string> Config::get_strings(std::string_view k) const {
    std::vector<std::string> out;
    for (auto& v : get(k).as_array()) out.emplace_back(v.as_string());
    return out;
}

std::vector<Config::Entry> Config::entries() const {
    std::vector<Entry> out;
    for (auto& k : keys_) out.push_back({std::string(k.key), displayed(k, get(k.key)), sources_.find(k.key)->second, &k});
    return out;
}

json::value Config::redacted() const {
    json::object root;
    for (auto& k : keys_) {
        json::object* o = &root;
        std::string_view rest = k.key;
        for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
            auto& section = (*o)[rest.substr(0, dot)];
            if (!section.is_object()) section = json::object();
            o = &section.as_object();
            rest = rest.substr(dot + 1);
        }
        const auto& v = get(k.key);
        (*o)[rest] = v.is_string() || k.secret ? json::value(json::string(displayed(k, v))) : v;
    }
    return root;
}

std::vector<std::string> process_environment() {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
    return out;
}

}  // namespace shop
