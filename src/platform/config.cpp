#include "platform/config.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace shop {
namespace json = boost::json;

// Defined in the generated config_defaults.cpp (config/shop.json embedded).
extern const char* const kDefaultConfigJson;

namespace {

bool is_secret_key(std::string_view k) {
    return k.find("password") != std::string_view::npos || k.find("secret") != std::string_view::npos ||
           k.find("token") != std::string_view::npos;
}

}  // namespace

std::string redact_url_password(std::string_view value) {
    // scheme://user:password@host... -> scheme://user:***@host...
    auto scheme = value.find("://");
    if (scheme == std::string_view::npos) return std::string(value);
    auto at = value.find('@', scheme + 3);
    auto colon = value.find(':', scheme + 3);
    if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) return std::string(value);
    return std::string(value.substr(0, colon + 1)) + "***" + std::string(value.substr(at));
}

namespace {

void walk_keys(const json::value& v, const std::string& prefix, std::vector<std::string>& out) {
    if (!v.is_object()) {
        out.push_back(prefix);
        return;
    }
    for (auto& kv : v.as_object()) walk_keys(kv.value(), prefix.empty() ? std::string(kv.key()) : prefix + "." + std::string(kv.key()), out);
}

json::value* find_path(json::value& root, std::string_view dotted) {
    json::value* cur = &root;
    while (!dotted.empty()) {
        auto dot = dotted.find('.');
        auto part = dotted.substr(0, dot);
        if (!cur->is_object()) return nullptr;
        auto* next = cur->as_object().if_contains(part);
        if (!next) return nullptr;
        cur = next;
        dotted = dot == std::string_view::npos ? std::string_view{} : dotted.substr(dot + 1);
    }
    return cur;
}

void merge(json::value& dst, const json::value& src, const std::string& prefix, std::string_view source) {
    if (!src.is_object()) throw std::runtime_error(fmt::format("{}: the configuration must be a JSON object", source));
    for (auto& kv : src.as_object()) {
        std::string key = prefix.empty() ? std::string(kv.key()) : prefix + "." + std::string(kv.key());
        auto* d = dst.as_object().if_contains(kv.key());
        if (!d) throw std::runtime_error(fmt::format("{}: unknown configuration key '{}'", source, key));
        if (d->is_object()) {
            merge(*d, kv.value(), key, source);
            continue;
        }
        const auto& v = kv.value();
        bool ok = (d->is_string() && v.is_string()) || (d->is_bool() && v.is_bool()) ||
                  (d->is_int64() && v.is_int64()) || (d->is_array() && v.is_array()) || d->is_null();
        if (!ok) throw std::runtime_error(fmt::format("{}: configuration key '{}' has the wrong type", source, key));
        *d = v;
    }
}

}  // namespace

json::value Config::parse_with_comments(std::string_view text, std::string_view source) {
    json::parse_options opts;
    opts.allow_comments = true;
    opts.allow_trailing_commas = true;
    boost::system::error_code ec;
    json::value v = json::parse(text, ec, {}, opts);
    if (ec) throw std::runtime_error(fmt::format("{}: invalid JSON: {}", source, ec.message()));
    return v;
}

Config Config::defaults() {
    Config c;
    c.root_ = parse_with_comments(kDefaultConfigJson, "built-in defaults");
    return c;
}

void Config::overlay(const json::value& doc, std::string_view source) { merge(root_, doc, "", source); }

void Config::overlay_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(fmt::format("cannot read configuration file '{}'", path));
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = parse_with_comments(ss.str(), path);
    // Secrets that would grant money movement or send mail as the shop come from the environment
    // only, never a file that ends up in backups, repositories and support tickets.
    static const char* const kEnvironmentOnly[][3] = {
        {"payment", "stripe", "secret_key"}, {"payment", "stripe", "webhook_secret"}, {"mail", "smtp", "password"}};
    for (auto& k : kEnvironmentOnly) {
        const json::value* v = &doc;
        for (const char* part : k) v = v && v->is_object() ? v->get_object().if_contains(part) : nullptr;
        if (v && !(v->is_string() && v->get_string().empty()))
            throw std::runtime_error(fmt::format("{}: {}.{}.{} is a secret and is read from the environment only ({})", path, k[0], k[1], k[2],
                                                 env_name(fmt::format("{}.{}.{}", k[0], k[1], k[2]))));
    }
    overlay(doc, path);
}

std::string Config::env_name(std::string_view dotted) {
    std::string out = "SHOP_";
    for (char c : dotted) out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return out;
}

void Config::overlay_env(const std::vector<std::string>& env) {
    std::vector<std::string> keys;
    walk_keys(root_, "", keys);
    std::map<std::string, std::string> by_env;
    for (auto& k : keys) by_env[env_name(k)] = k;
    for (auto& kv : env) {
        if (kv.rfind("SHOP_", 0) != 0) continue;
        auto eq = kv.find('=');
        std::string name = kv.substr(0, eq);
        std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
        auto it = by_env.find(name);
        if (it == by_env.end())
            throw std::runtime_error(fmt::format("environment: unknown configuration variable '{}'", name));
        set(it->second, value, "environment variable " + name);
    }
}

void Config::set(std::string_view dotted, std::string_view value, std::string_view source) {
    json::value* d = find_path(root_, dotted);
    if (!d || d->is_object())
        throw std::runtime_error(fmt::format("{}: unknown configuration key '{}'", source, dotted));
    if (d->is_int64()) {
        std::int64_t n = 0;
        auto s = std::string(value);
        std::size_t pos = 0;
        try {
            n = std::stoll(s, &pos);
        } catch (...) {
            pos = std::string::npos;
        }
        if (pos != s.size() || s.empty())
            throw std::runtime_error(fmt::format("{}: '{}' must be an integer", source, dotted));
        *d = n;
    } else if (d->is_bool()) {
        if (value == "true" || value == "1" || value == "yes") *d = true;
        else if (value == "false" || value == "0" || value == "no") *d = false;
        else throw std::runtime_error(fmt::format("{}: '{}' must be true or false", source, dotted));
    } else if (d->is_array()) {
        json::array a;
        std::string_view rest = value;
        while (!rest.empty()) {
            auto comma = rest.find(',');
            auto item = rest.substr(0, comma);
            if (!item.empty()) a.emplace_back(item);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
        *d = std::move(a);
    } else {
        *d = json::string(value);
    }
}

const json::value& Config::get(std::string_view dotted) const {
    auto* v = find_path(const_cast<json::value&>(root_), dotted);
    if (!v) throw std::logic_error(fmt::format("configuration key '{}' is not defined in config/shop.json", dotted));
    return *v;
}
std::string Config::get_string(std::string_view k) const { return std::string(get(k).as_string()); }
std::int64_t Config::get_int(std::string_view k) const { return get(k).as_int64(); }
bool Config::get_bool(std::string_view k) const { return get(k).as_bool(); }
std::vector<std::string> Config::get_strings(std::string_view k) const {
    std::vector<std::string> out;
    for (auto& v : get(k).as_array()) out.emplace_back(v.as_string());
    return out;
}

json::value Config::redacted() const {
    json::value copy = root_;
    std::vector<std::string> keys;
    walk_keys(copy, "", keys);
    for (auto& k : keys) {
        auto leaf = k.substr(k.rfind('.') == std::string::npos ? 0 : k.rfind('.') + 1);
        auto* v = find_path(copy, k);
        if (!v->is_string() || v->as_string().empty()) continue;
        if (is_secret_key(leaf)) *v = "***";
        else *v = redact_url_password(v->as_string());
    }
    return copy;
}

std::vector<std::string> process_environment() {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
    return out;
}

}  // namespace shop
