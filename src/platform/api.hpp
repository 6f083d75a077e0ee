#pragma once
// The typed API: a route is declared once — its request body, query and reply types, its problem
// statuses, who may call it — and from that one declaration the request is parsed and validated
// (every bad field named in `errors[]`), the reply serialised, and the route's part of the
// OpenAPI 3.1 document written (JSON Schemas with `required`, formats, enums, patterns, examples).
//
// Request and reply types are plain structs described with SHOP_API_STRUCT (Boost.Describe). Their
// members are field types that know how to read, write and describe themselves:
//   Text<min, max>     a string, trimmed; NUL and bidi controls refused; min 1 = not blank
//   Int<min, max>      an integer in [min, max]
//   Email, Currency, Country, Id<"ord">, Cursor, Timestamp, OneOf<"a", "b">, Money, bool
//   std::optional<T>   may be absent (absent from a reply when empty); JSON null is never a value
//   Nullable<T>        may be null
//   List<T, min, max>  an array (in replies: std::vector<T>)
//   Dict<T>            an object of T by free keys
//   std::string, std::int64_t, double: in replies only (a request field states its bounds)
//   a nested described struct: an object, described once under components/schemas
#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <boost/mp11.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "platform/error.hpp"
#include "platform/http.hpp"
#include "platform/json_input.hpp"

/// Describes an API struct: its members (for reading, writing and the schema) and its name in
/// the OpenAPI document's components/schemas.
#define SHOP_API_STRUCT(T, ...)                                                              \
    BOOST_DESCRIBE_STRUCT(T, (), (__VA_ARGS__))                                              \
    [[maybe_unused]] inline constexpr std::string_view shop_api_schema_name(const T*) { return #T; }

namespace shop::api {
namespace json = boost::json;

/// A string literal as a template argument.
template <std::size_t N>
struct Lit {
    char chars[N]{};
    constexpr Lit(const char (&s)[N]) { std::copy_n(s, N, chars); }
    constexpr std::string_view view() const { return {chars, N - 1}; }
};

/// Field errors collected while reading, and the JSON path being read.
class Reader {
public:
    explicit Reader(std::vector<FieldError>& errors) : errors_(errors) {}
    void fail(const std::string& path, std::string message) { errors_.push_back({path.empty() ? "$" : path, std::move(message)}); }
    bool ok() const noexcept { return errors_.empty(); }

private:
    std::vector<FieldError>& errors_;
};

inline std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}
inline std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

/// The schemas of the document being written: components/schemas by name.
class Schemas {
public:
    /// `{"$ref": ...}` to the schema of `name`, made by `make` the first time.
    json::object ref(std::string_view name, const std::function<json::object()>& make);
    const json::object& all() const noexcept { return all_; }

private:
    json::object all_;
};

// ---------------------------------------------------------------------------------------------
// Text checks shared by the string fields.

/// Why `s` is not acceptable text (a NUL or a bidirectional control character), or "".
std::string text_problem(std::string_view s);
/// `s` without leading and trailing whitespace.
std::string trim(std::string_view s);
/// Unicode code points in `s` (valid UTF-8).
std::size_t code_points(std::string_view s);
/// A whole decimal integer (optional sign); false otherwise.
bool parse_int(std::string_view s, std::int64_t& out);
/// Whether `s` has the form new_id(prefix) gives.
bool well_formed_id(std::string_view s, std::string_view prefix);

// ---------------------------------------------------------------------------------------------
// Field types. Each provides: schema(Schemas&), read(const json::value&, path, Reader&) -> bool
// (false after recording an error), write() -> json::value; read_text(string_view, path, Reader&)
// for query parameters.

template <std::size_t Min, std::size_t Max>
struct Text {
    std::string value;
    static_assert(Min <= Max);
    static json::object schema(Schemas&) {
        json::object s{{"type", "string"}, {"maxLength", Max}};
        if (Min > 0) s["minLength"] = Min;
        return s;
    }
    bool read_text(std::string_view v, const std::string& path, Reader& r) {
        if (auto why = text_problem(v); !why.empty()) return r.fail(path, why), false;
        std::string t = trim(v);
        if (Min > 0 && t.empty()) return r.fail(path, "must not be blank"), false;
        std::size_t n = code_points(t);
        if (n < Min) return r.fail(path, "must be at least " + std::to_string(Min) + " characters"), false;
        if (n > Max) return r.fail(path, "must be at most " + std::to_string(Max) + " characters"), false;
        value = std::move(t);
        return true;
    }
    bool read(const json::value& v, const std::string& path, Reader& r) {
        if (!v.is_string()) return r.fail(path, "must be a string"), false;
        return read_text(v.get_string(), path, r);
    }
    json::value write() const { return json::value(value); }
    const std::string& operator*() const noexcept { return value; }
};

/// A secret as typed (a password): never trimmed; NUL and bidi controls refused.
template <std::size_t Min, std::size_t Max>
struct Secret {
    std::string value;
    static json::object schema(Schemas&) {
        return {{"type", "string"}, {"format", "password"}, {"writeOnly", true}, {"minLength", Min}, {"maxLength", Max}};
    }
    bool read(const json::value& v, const std::string& path, Reader& r) {
        if (!v.is_string()) return r.fail(path, "must be a string"), false;
        std::string_view s = v.get_string();
        if (auto why = text_problem(s); !why.empty()) return r.fail(path, why), false;
        std::size_t n = code_points(s);
        if (n < Min) return r.fail(path, n == 0 ? "must not be empty" : "must be at least " + std::to_string(Min) + " characters"), false;
        if (n > Max) return r.fail(path, "must be at most " + std::to_string(Max) + " characters"), false;
        value = std::string(s);
        return true;
    }
};

template <std::int64_t Min, std::int64_t Max>
struct Int {
    std::int64_t value = 0;
    static json::object schema(Schemas&) { return {{"type", "integer"}, {"format", "int64"}, {"minimum", Min}, {"maximum", Max}}; }
    bool check(std::int64_t n, const std::string& path, Reader& r) {
        if (n < Min || n > Max) return r.fail(path, "must be between " + std::to_string(Min) + " and " + std::to_string(Max)), false;
        value = n;
        return true;
    }
    bool read(const json::value& v, const std::string& path, Reader& r) {
        if (v.is_int64()) return check(v.get_int64(), path, r);
        if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
            return check(static_cast<std::int64_t>(v.get_uint64()), path, r);
        return r.fail(path, "must be an integer"), false;
    }
    bool read_text(std::string_view t, const std::string& path, Reader& r) {
        std::int64_t n = 0;
        if (!parse_int(t, n)) return r.fail(path, "must be an integer"), false;
        return check(n, path, r);
    }
    json::value write() const { return json::value(value); }
    std::int64_t operator*() const noexcept { return value; }
};

/// An e-mail address, normalised (trimmed, domain lower-cased).
struct Email {
    std::string value;
    static json::object schema(Schemas&) {
        return {{"type", "string"}, {"format", "email"}, {"maxLength", 254}, {"examples", json::array{"ann@example.com"}}};
    }
    bool read(const json::value& v, const std::string& path, Reader& r);
    json::value write() const { return json::value(value); }
    const std::string& operator*() const noexcept { return value; }
};

/// An ISO 4217 currency code, upper-case.
struct Currency {
    std::string value;
    static json::object schema(Schemas&) {
        return {{"type", "string"}, {"pattern", "^[A-Z]{3}$"}, {"description", "ISO 4217 currency code"}, {"examples", json::array{"USD"}}};
    }
    bool read_text(std::string_view t, const std::string& path, Reader& r);
    bool read(const json::value& v, const std::string& path, Reader& r) {
        if (!v.is_string()) return r.fail(path, "must be a string"), false;
        return read_text(v.get_string(), path, r);
    }
    json::value write() const { return json::value(value); }
    const std::string& operator*() const noexcept { return value; }
};

/// An assigned ISO 3166-1 alpha-2 country code (platform/countries.hpp); read in any case, kept upper-case.
struct Country {
    std::string value;
    static json::object schema(Schemas&) {
        return {{"type", "string"}, {"pattern", "^[A-Za-z]{2}$"}, {"description", "ISO 3166-1 alpha-2 country code"},
                {"examples", json::array{"US"}}};
    }
    bool read(const json::value& v, const std::string& path, Reader& r);
    bool read_text(std::string_view t, const std::string& path, Reader& r);
    json::value write() const { return json::value(value); }
    const std::string& operator*() const noexcept { return value; }
};

/// The pattern of ids minted by new_id(prefix).
std::string id_pattern(std::string_view prefix);
std::string id_example(std::string_view prefix);

/// A prefixed id (`ord_01J...`). Reading checks its form; whether it exists is the handler's.
template <Lit Prefix>
struct Id {
    std::string value;
    static json::object schema(Schemas&) {
        return {{"type", "string"}, {"pattern", id_pattern(Prefix.view())}, {"examples", json::array{json::value(id_example(Prefix.view()))}}};
    }
    bool read_text(std::string_view t, const std::string& path, Reader& r) {
        if (!well_formed_id(t, Prefix.view())) return r.fail(path, "is not a " + std::string(Prefix.view()) + "_... id"), false;
        value = std::string(t);
        return true;
    }
    bool read(const json::value& v, const std::string& path, Reader& r) {
        if (!v.is_string()) return r.fail(path, "must be a string"), false;
        return read_text(v.get_string(), path, r);
    }
    json::value write() const { return json::value(value); }
    const std::string& operator*() const noexcept { return value; }
};

/// An opaque pagination cursor (as `next_cursor` returned it); `value` is what it encodes.
struct Cursor {
    std::string value;
    static json::object schema(Schemas&) { return {{"type", "string"}, {"maxLength", 512}, {"description", "the `next_cursor` of the previous page"}}; }
    bool read_text(std::string_view t, const std::string& path, Reader& r);
    json::value write() const;
};

/// An RFC 3339 timestamp (replies).
struct Timestamp {
    std::string value;
    static json::object schema(Schemas&) { return {{"type", "string"}, {"format", "date-time"}, {"examples", json::array{"2026-12-01T09:30:00.000Z"}}}; }
    json::value write() const { return json::value(value); }
};

/// An RFC 3339 date-time in requests; `ms` is its instant in epoch milliseconds.
struct DateTime {
    std::string value;
    std::int64_t ms = 0;
    static json::object schema(Schemas&) { return {{"type", "string"}, {"format", "date-time"}, {"examples", json::array{"2026-12-24T00:00:00Z"}}}; }
    bool read(const json::value& v, const std::string& path, Reader& r);
    bool read_text(std::string_view t, const std::string& path, Reader& r);
    json::value write() const { return json::value(value); }
};

/// One of a fixed set of strings.
template <Lit... Values>
struct OneOf {
    std::string value;
    static json::object schema(Schemas&) {
        json::array e;
        (e.push_back(json::value(Values.view())), ...);
        return {{"type", "string"}, {"enum", std::move(e)}};
    }
    bool read_text(std::string_view t, const std::string& path, Reader& r) {
        if (((t == Values.view()) || ...)) {
            value = std::string(t);
            return true;
        }
        std::string list;
        ((list += (list.empty() ? "" : ", ") + std::string(Values.view())), ...);
        return r.fail(path, "must be one of " + list), false;
    }
    bool read(const json::value& v, const std::string& path, Reader& r) {
        if (!v.is_string()) return r.fail(path, "must be a string"), false;
        return read_text(v.get_string(), path, r);
    }
    json::value write() const { return json::value(value); }
    const std::string& operator*() const noexcept { return value; }
    bool operator==(std::string_view s) const noexcept { return value == s; }
};

/// A value that may be JSON null.
template <class T>
struct Nullable {
    std::optional<T> value;
    Nullable() = default;
    Nullable(std::nullopt_t) {}
    Nullable(T v) : value(std::move(v)) {}
};

/// An array of min..max items (requests).
template <class T, std::size_t Min, std::size_t Max>
struct List {
    std::vector<T> items;
    auto begin() const { return items.begin(); }
    auto end() const { return items.end(); }
    std::size_t size() const noexcept { return items.size(); }
    const T& operator[](std::size_t i) const { return items[i]; }
};

/// An object of T by free keys (at most 50, keys 1..64 characters).
template <class T>
struct Dict {
    std::map<std::string, T, std::less<>> items;
};

/// Money in requests: `{"amount": <integer minor units>, "currency": "USD"}`.
struct MoneyIn {
    Int<0, 1'000'000'000'000> amount;
    Currency currency;
};
SHOP_API_STRUCT(MoneyIn, amount, currency)

/// Money in replies.
struct Money {
    std::int64_t amount = 0;  ///< integer minor units
    std::string currency;
};
SHOP_API_STRUCT(Money, amount, currency)

/// A field value of type T holding `v` (`of<Id<"ord">>(order_id)`).
template <class T>
T of(std::string v) {
    T t;
    t.value = std::move(v);
    return t;
}

/// No body (or no query parameters).
struct None {};
SHOP_API_STRUCT(None)

/// An empty reply: 204 No Content.
struct NoContent {};

/// A reply that is not JSON (a page, Prometheus text, a script), in the operation's content_type.
struct Raw {
    std::string text;
    static json::object schema(Schemas&) { return {{"type", "string"}}; }
};

/// A JSON reply whose shape is its own document (the OpenAPI description itself).
struct AnyJson {
    json::value value;
    static json::object schema(Schemas&) { return {{"type", "object"}}; }
    json::value write() const { return value; }
};

// ---------------------------------------------------------------------------------------------
// The machinery: schema, read and write of any API type.

template <class T>
concept Described = boost::describe::has_describe_members<T>::value;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct optional_value {
    using type = T;
};
template <class T>
struct optional_value<std::optional<T>> {
    using type = T;
};
template <class T>
struct is_nullable : std::false_type {};
template <class T>
struct is_nullable<Nullable<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_list : std::false_type {};
template <class T, std::size_t A, std::size_t B>
struct is_list<List<T, A, B>> : std::true_type {
    static constexpr std::size_t min = A, max = B;
};
template <class T>
struct is_dict : std::false_type {};
template <class T>
struct is_dict<Dict<T>> : std::true_type {};
template <class T>
struct is_map : std::false_type {};
template <class T, class C>
struct is_map<std::map<std::string, T, C>> : std::true_type {};

template <class T>
json::object schema_of(Schemas& s);
template <class T>
bool read_value(const json::value& v, T& out, const std::string& path, Reader& r);
template <class T>
json::value write_value(const T& v);

template <Described T>
json::object object_schema(Schemas& s, bool closed) {
    json::object props;
    json::array required;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>>(
        [&](auto m) {
            using M = std::remove_cvref_t<decltype(std::declval<T&>().*m.pointer)>;
            props[m.name] = schema_of<M>(s);
            if constexpr (!is_optional<M>::value) required.push_back(json::value(m.name));
        });
    json::object out{{"type", "object"}, {"properties", std::move(props)}};
    if (!required.empty()) out["required"] = std::move(required);
    if (closed) out["additionalProperties"] = false;
    return out;
}

template <class T>
json::object schema_of(Schemas& s) {
    if constexpr (is_optional<T>::value) {
        return schema_of<typename T::value_type>(s);
    } else if constexpr (is_nullable<T>::value) {
        using V = typename decltype(std::declval<T>().value)::value_type;
        return json::object{{"oneOf", json::array{schema_of<V>(s), json::object{{"type", "null"}}}}};
    } else if constexpr (is_vector<T>::value) {
        return json::object{{"type", "array"}, {"items", schema_of<typename T::value_type>(s)}};
    } else if constexpr (is_list<T>::value) {
        using V = typename decltype(std::declval<T>().items)::value_type;
        json::object o{{"type", "array"}, {"items", schema_of<V>(s)}, {"maxItems", is_list<T>::max}};
        if (is_list<T>::min > 0) o["minItems"] = is_list<T>::min;
        return o;
    } else if constexpr (is_dict<T>::value) {
        using V = typename decltype(std::declval<T>().items)::mapped_type;
        return json::object{{"type", "object"}, {"additionalProperties", schema_of<V>(s)}, {"maxProperties", 50}};
    } else if constexpr (is_map<T>::value) {
        return json::object{{"type", "object"}, {"additionalProperties", schema_of<typename T::mapped_type>(s)}};
    } else if constexpr (std::is_same_v<T, std::string>) {
        return json::object{{"type", "string"}};
    } else if constexpr (std::is_same_v<T, bool>) {
        return json::object{{"type", "boolean"}};
    } else if constexpr (std::is_integral_v<T>) {
        return json::object{{"type", "integer"}, {"format", "int64"}};
    } else if constexpr (std::is_floating_point_v<T>) {
        return json::object{{"type", "number"}};
    } else if constexpr (Described<T>) {
        return s.ref(shop_api_schema_name(static_cast<const T*>(nullptr)), [&s] { return object_schema<T>(s, true); });
    } else {
        return T::schema(s);
    }
}

template <Described T>
bool read_object(const json::value& v, T& out, const std::string& path, Reader& r) {
    if (!v.is_object()) return r.fail(path, "must be an object"), false;
    const auto& o = v.get_object();
    bool ok = true;
    std::size_t known = 0;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>>(
        [&](auto m) {
            using M = std::remove_cvref_t<decltype(out.*m.pointer)>;
            std::string p = join(path, m.name);
            const json::value* f = o.if_contains(m.name);
            if (f) ++known;
            if (!f) {
                if constexpr (!is_optional<M>::value) {
                    r.fail(p, "is required");
                    ok = false;
                }
                return;
            }
            using Inner = std::conditional_t<is_optional<M>::value, typename optional_value<M>::type, M>;
            if constexpr (!is_nullable<Inner>::value) {
                if (f->is_null()) {
                    r.fail(p, "must not be null");
                    ok = false;
                    return;
                }
            }
            if (!read_value(*f, out.*m.pointer, p, r)) ok = false;
        });
    if (known < o.size()) {
        // Every key that is not a member: a typo is refused, never ignored.
        for (auto& kv : o) {
            bool member = false;
            boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>>(
                [&](auto m) { member = member || kv.key() == m.name; });
            if (!member) {
                r.fail(join(path, kv.key()), "is not a field of this request");
                ok = false;
            }
        }
    }
    return ok;
}

template <class T>
bool read_value(const json::value& v, T& out, const std::string& path, Reader& r) {
    if constexpr (is_optional<T>::value) {
        out.emplace();
        return read_value(v, *out, path, r);
    } else if constexpr (is_nullable<T>::value) {
        if (v.is_null()) {
            out.value.reset();
            return true;
        }
        out.value.emplace();
        return read_value(v, *out.value, path, r);
    } else if constexpr (is_list<T>::value) {
        if (!v.is_array()) return r.fail(path, "must be an array"), false;
        const auto& a = v.get_array();
        if (a.size() < is_list<T>::min)
            return r.fail(path, is_list<T>::min == 1 ? "must hold at least one item" : "must hold at least " + std::to_string(is_list<T>::min) + " items"), false;
        if (a.size() > is_list<T>::max) return r.fail(path, "must hold at most " + std::to_string(is_list<T>::max) + " items"), false;
        bool ok = true;
        out.items.resize(a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (a[i].is_null()) {
                r.fail(index(path, i), "must not be null");
                ok = false;
                continue;
            }
            if (!read_value(a[i], out.items[i], index(path, i), r)) ok = false;
        }
        return ok;
    } else if constexpr (is_dict<T>::value) {
        if (!v.is_object()) return r.fail(path, "must be an object"), false;
        const auto& o = v.get_object();
        if (o.size() > 50) return r.fail(path, "must hold at most 50 entries"), false;
        bool ok = true;
        for (auto& kv : o) {
            std::string p = join(path, kv.key());
            std::string_view key = kv.key();
            if (key.empty() || key.size() > 64 || !text_problem(key).empty()) {
                r.fail(p, "keys must be 1 to 64 characters of text");
                ok = false;
                continue;
            }
            if (kv.value().is_null()) {
                r.fail(p, "must not be null");
                ok = false;
                continue;
            }
            if (!read_value(kv.value(), out.items[std::string(key)], p, r)) ok = false;
        }
        return ok;
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!v.is_bool()) return r.fail(path, "must be true or false"), false;
        out = v.get_bool();
        return true;
    } else if constexpr (Described<T>) {
        return read_object(v, out, path, r);
    } else {
        return out.read(v, path, r);
    }
}

template <class T>
json::value write_value(const T& v) {
    if constexpr (is_nullable<T>::value) {
        return v.value ? write_value(*v.value) : json::value(nullptr);
    } else if constexpr (is_vector<T>::value) {
        json::array a;
        a.reserve(v.size());
        for (auto& x : v) a.push_back(write_value(x));
        return a;
    } else if constexpr (is_list<T>::value) {
        return write_value(v.items);
    } else if constexpr (is_dict<T>::value) {
        return write_value(v.items);
    } else if constexpr (is_map<T>::value) {
        json::object o;
        for (auto& [k, x] : v) o[k] = write_value(x);
        return o;
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> || std::is_arithmetic_v<T>) {
        return json::value(v);
    } else if constexpr (Described<T>) {
        json::object o;
        boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>>(
            [&](auto m) {
                using M = std::remove_cvref_t<decltype(v.*m.pointer)>;
                if constexpr (is_optional<M>::value) {
                    if (v.*m.pointer) o[m.name] = write_value(*(v.*m.pointer));
                } else {
                    o[m.name] = write_value(v.*m.pointer);
                }
            });
        return o;
    } else {
        return v.write();
    }
}

template <class T>
bool read_text_value(std::string_view v, T& out, const std::string& path, Reader& r) {
    if constexpr (std::is_same_v<T, bool>) {
        if (v == "true") out = true;
        else if (v == "false") out = false;
        else return r.fail(path, "must be true or false"), false;
        return true;
    } else {
        return out.read_text(v, path, r);
    }
}

/// Reads query parameters into a described struct of text-readable fields (std::optional:
/// may be absent; anything else is required).
template <Described T>
bool read_query(const std::vector<std::pair<std::string, std::string>>& query, T& out, Reader& r) {
    bool ok = true;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>>(
        [&](auto m) {
            using M = std::remove_cvref_t<decltype(out.*m.pointer)>;
            std::string name(m.name);
            for (auto& [k, v] : query) {
                if (k != name) continue;
                auto& slot = out.*m.pointer;
                if constexpr (is_optional<M>::value) {
                    slot.emplace();
                    ok = read_text_value(v, *slot, name, r) && ok;
                } else {
                    ok = read_text_value(v, slot, name, r) && ok;
                }
                return;
            }
            if constexpr (!is_optional<M>::value) {
                r.fail(name, "is required");
                ok = false;
            }
        });
    return ok;
}

/// The query parameters of T as OpenAPI parameter objects.
template <Described T>
json::array query_parameters(Schemas& s) {
    json::array out;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>>(
        [&](auto m) {
            using M = std::remove_cvref_t<decltype(std::declval<T&>().*m.pointer)>;
            out.push_back(json::object{{"name", m.name}, {"in", "query"}, {"required", !is_optional<M>::value}, {"schema", schema_of<M>(s)}});
        });
    return out;
}

// ---------------------------------------------------------------------------------------------
// Routes.

/// What a handler answers: the reply, and optionally another status, headers, or the reply
/// already serialised (a cached rendering that has this reply's shape).
template <class T>
struct Out {
    T body{};
    int status = 0;  ///< 0: the operation's status
    http::Headers headers;
    std::optional<std::string> raw;  ///< serialised body of type T, sent as is
    Out() = default;
    Out(T b) : body(std::move(b)) {}
    static Out serialized(std::string json, int status = 0) {
        Out o;
        o.raw = std::move(json);
        o.status = status;
        return o;
    }
};

/// Everything the document says about an operation besides its types.
struct Operation {
    http::Method method = http::Method::get;
    std::string path;          ///< `/api/v1/orders/{id}`
    std::string id;            ///< operationId: `createCheckout`
    std::string summary;
    std::string description;
    std::string tag;           ///< the module
    http::Access access = http::Access::anyone;
    int status = 200;          ///< the success status
    std::vector<int> errors;   ///< problem statuses the handler may answer (404, 409, ...)
    bool cart_token = false;   ///< accepts `X-Cart-Token` (a guest's cart and what was made from it)
    bool secret = false;       ///< request or reply holds secrets: never stored for replay
    bool own_bearer = false;   ///< the handler checks `Authorization: Bearer` itself (see http::RouteSpec)
    std::string idempotency_schema;  ///< POST: the schema whose transaction records the reply
    bool blocking = false;     ///< runs on the worker pool (password hashing, long reads)
    /// The API-key scope of the route; empty = api_key_scope(tag, method).
    std::string scope;
    /// Extra response headers documented for the success reply (e.g. Location, ETag).
    std::vector<std::string> reply_headers;
    bool not_modified = false;  ///< may answer 304 (If-None-Match)
    std::string content_type = "application/json";  ///< of the success reply (Raw replies)
    bool body_optional = false;  ///< an empty body reads as the request type's defaults
    /// A raw request body (Request = None) of one of these media types, which the handler reads
    /// from the request itself (an image upload).
    std::vector<std::string> body_types;
    /// A Raw reply in one of these media types, chosen by the handler's Content-Type header
    /// (instead of `content_type`).
    std::vector<std::string> reply_types;
    /// Builds the replayed response from a stored reply (see http::RouteSpec::replay).
    std::function<http::Response(http::Request&, const json::value&)> replay;
};

/// The scope an API key needs for a route of module `tag` with `method`: `<resource>:read` for GET
/// and HEAD, `<resource>:write` otherwise, the resource named as clients know it (`orders` for
/// ordering's routes); "" for routes no API key may call (accounts, the platform, the pages).
std::string api_key_scope(std::string_view tag, http::Method method);

/// Writes a route's part of the OpenAPI document.
using DocWriter = std::function<void(json::object& operation, Schemas& schemas)>;

/// Registers `op` with its handler and its description. Request is None or a described struct
/// read from the JSON body; Query is None or a described struct read from the query string; Reply
/// is NoContent or a type written as the JSON reply.
template <class Request, class Query, class Reply, class F>
void add(http::Router& router, Operation op, F handler);

/// The OpenAPI 3.1 document of every route the router holds.
json::value openapi_document(const http::Router& router, std::string_view title, std::string_view version);

/// Parses a request body as JSON, refusing duplicate keys: 400 malformed_json / 422.
json::value parse_body(const http::Request& req);
/// A raw body (Operation::body_types) of one of `types` by its Content-Type (parameters and case
/// aside); 415 naming `Content-Type` otherwise.
void check_body_type(const http::Request& req, const std::vector<std::string>& types);

void describe_operation(const Operation& op, bool has_body, bool has_query, json::object& out);

/// Reads the JSON body of `req` into `out`, recording every bad field in `r`; an empty body reads
/// as the defaults when `optional`. Throws ErrorException for a body that is not JSON.
template <class Request>
void read_body(const http::Request& req, bool optional, Request& out, Reader& r) {
    if (optional && req.body.empty()) return;
    json::value v = parse_body(req);
    read_value(v, out, "", r);
}

template <class Request, class Query, class Reply, class F>
void add(http::Router& router, Operation op, F handler) {
    http::RouteSpec spec;
    spec.method = op.method;
    spec.pattern = op.path;
    spec.access = op.access;
    spec.summary = op.summary;
    spec.tag = op.tag;
    spec.success_status = op.status;
    spec.secret = op.secret;
    spec.own_bearer = op.own_bearer;
    spec.idempotency_schema = op.idempotency_schema;
    spec.blocking = op.blocking;
    spec.replay = op.replay;
    constexpr bool has_body = !std::is_same_v<Request, None>;
    constexpr bool has_query = !std::is_same_v<Query, None>;
    bool body_optional = op.body_optional;
    if constexpr (has_body) {
        spec.decode_body = [body_optional](const http::Request& req) {
            std::vector<FieldError> errors;
            Reader r(errors);
            Request body{};
            read_body(req, body_optional, body, r);
            throw_if_invalid(errors);
        };
    }
    if (op.scope.empty()) op.scope = api_key_scope(op.tag, op.method);
    spec.scope = op.scope;
    spec.document = [op](json::object& out, Schemas& s) {
        describe_operation(op, has_body || !op.body_types.empty(), has_query, out);
        if (!op.body_types.empty()) {
            json::object content;
            for (auto& t : op.body_types) content[t] = json::object{{"schema", json::object{{"type", "string"}, {"format", "binary"}}}};
            out["requestBody"] = json::object{{"required", true}, {"content", std::move(content)}};
        }
        if constexpr (has_query) {
            auto& params = out["parameters"].as_array();
            for (auto& p : query_parameters<Query>(s)) params.push_back(std::move(p));
        }
        if constexpr (has_body)
            out["requestBody"] = json::object{
                {"required", !op.body_optional}, {"content", json::object{{"application/json", json::object{{"schema", schema_of<Request>(s)}}}}}};
        auto& ok = out["responses"].as_object()[std::to_string(op.status)].as_object();
        if constexpr (!std::is_same_v<Reply, NoContent>) {
            if (op.reply_types.empty()) {
                ok["content"] = json::object{{op.content_type, json::object{{"schema", schema_of<Reply>(s)}}}};
            } else {
                json::object content;
                for (auto& t : op.reply_types) content[t] = json::object{{"schema", json::object{{"type", "string"}, {"format", "binary"}}}};
                ok["content"] = std::move(content);
            }
        }
    };
    int status = op.status;
    std::string content_type = op.content_type;
    bool typed_reply = !op.reply_types.empty();
    std::vector<std::string> body_types = op.body_types;
    router.add(std::move(spec), [handler = std::move(handler), status, content_type, body_optional, typed_reply,
                                 body_types = std::move(body_types)](http::Request& req) -> http::Response {
        if (!body_types.empty() && !req.body.empty()) check_body_type(req, body_types);
        std::vector<FieldError> errors;
        Reader r(errors);
        Request body{};
        Query query{};
        if constexpr (has_query) read_query(req.query, query, r);
        if constexpr (has_body) read_body(req, body_optional, body, r);
        throw_if_invalid(errors);
        if constexpr (std::is_same_v<Reply, NoContent>) {
            handler(req, body, query);
            return http::Response::no_content();
        } else {
            Out<Reply> out = handler(req, body, query);
            http::Response res;
            res.status = out.status ? out.status : status;
            res.headers = std::move(out.headers);
            if (res.status != 304) {
                if (!typed_reply || !res.headers.has("Content-Type")) res.headers.set("Content-Type", content_type);
                if constexpr (std::is_same_v<Reply, Raw>) res.body = std::move(out.body.text);
                else res.body = out.raw ? std::move(*out.raw) : json::serialize(write_value(out.body));
            }
            return res;
        }
    });
}

}  // namespace shop::api
