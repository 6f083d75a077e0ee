#include "platform/json_input.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace shop {
namespace json = boost::json;

Result<json::object> parse_json_object(std::string_view body) {
    if (body.empty()) return Error(errc::malformed_json, "the request body is empty; a JSON object is expected");
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 32;
    json::value v = json::parse(body, ec, {}, opts);
    if (ec) return Error(errc::malformed_json, fmt::format("the request body is not valid JSON: {}", ec.message()));
    if (!v.is_object()) return Error(errc::validation_failed, "the request body must be a JSON object", {{"$", "must be an object"}});
    return std::move(v.as_object());
}

Error validation_error(std::vector<FieldError> errors) {
    std::string detail;
    for (auto& e : errors) {
        if (!detail.empty()) detail += "; ";
        detail += e.field + ": " + e.message;
    }
    return Error(errc::validation_failed, std::move(detail), std::move(errors));
}

void throw_if_invalid(std::vector<FieldError>& errors) {
    if (!errors.empty()) throw ErrorException(validation_error(std::move(errors)));
}

std::string FieldReader::required_string(std::string_view key, std::size_t max_len) {
    auto v = optional_string(key, max_len);
    if (!v && !obj_.if_contains(key)) fail(key, "is required");
    return v.value_or("");
}

std::optional<std::string> FieldReader::optional_string(std::string_view key, std::size_t max_len) {
    auto* v = obj_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) {
        fail(key, "must be a string");
        return std::nullopt;
    }
    std::string s(v->as_string());
    if (s.empty()) {
        fail(key, "must not be empty");
        return std::nullopt;
    }
    if (s.size() > max_len) {
        fail(key, fmt::format("must be at most {} characters", max_len));
        return std::nullopt;
    }
    return s;
}

std::int64_t FieldReader::required_int(std::string_view key, std::int64_t min, std::int64_t max) {
    auto v = optional_int(key, min, max);
    if (!v && !obj_.if_contains(key)) fail(key, "is required");
    return v.value_or(0);
}

std::optional<std::int64_t> FieldReader::optional_int(std::string_view key, std::int64_t min, std::int64_t max) {
    auto* v = obj_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    std::int64_t n = 0;
    if (v->is_int64()) n = v->as_int64();
    else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) n = static_cast<std::int64_t>(v->as_uint64());
    else {
        fail(key, "must be an integer");
        return std::nullopt;
    }
    if (n < min || n > max) {
        fail(key, fmt::format("must be between {} and {}", min, max));
        return std::nullopt;
    }
    return n;
}

std::optional<bool> FieldReader::optional_bool(std::string_view key) {
    auto* v = obj_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_bool()) {
        fail(key, "must be true or false");
        return std::nullopt;
    }
    return v->as_bool();
}

const json::array* FieldReader::required_array(std::string_view key) {
    auto* a = optional_array(key);
    if (!a && !obj_.if_contains(key)) fail(key, "is required");
    return a;
}

const json::array* FieldReader::optional_array(std::string_view key) {
    auto* v = obj_.if_contains(key);
    if (!v || v->is_null()) return nullptr;
    if (!v->is_array()) {
        fail(key, "must be an array");
        return nullptr;
    }
    return &v->as_array();
}

const json::object* FieldReader::required_object(std::string_view key) {
    auto* o = optional_object(key);
    if (!o && !obj_.if_contains(key)) fail(key, "is required");
    return o;
}

const json::object* FieldReader::optional_object(std::string_view key) {
    auto* v = obj_.if_contains(key);
    if (!v || v->is_null()) return nullptr;
    if (!v->is_object()) {
        fail(key, "must be an object");
        return nullptr;
    }
    return &v->as_object();
}

std::string FieldReader::one_of(std::string_view key, std::initializer_list<std::string_view> allowed, std::string_view def) {
    auto s = optional_string(key, 100);
    if (!s) return std::string(def);
    for (auto a : allowed)
        if (*s == a) return *s;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    fail(key, "must be one of " + list);
    return std::string(def);
}

}  // namespace shop
