#include "domain/attributes.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>

namespace shop::catalog::domain {
namespace json = boost::json;

std::string_view to_string(AttributeType t) noexcept {
    switch (t) {
        case AttributeType::text: return "text";
        case AttributeType::number: return "number";
        case AttributeType::boolean: return "boolean";
        case AttributeType::option: return "option";
    }
    return "text";
}

std::optional<AttributeType> attribute_type(std::string_view s) noexcept {
    for (auto t : {AttributeType::text, AttributeType::number, AttributeType::boolean, AttributeType::option})
        if (to_string(t) == s) return t;
    return std::nullopt;
}

bool is_attribute_code(std::string_view code) noexcept {
    if (code.empty() || code.size() > 40 || code[0] < 'a' || code[0] > 'z') return false;
    for (char c : code)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

namespace {

std::optional<double> parse_number(std::string_view s) {
    double d = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
    return d;
}

std::vector<std::string> split_commas(std::string_view s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        auto comma = s.find(',', start);
        out.emplace_back(s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

}  // namespace

std::pair<std::optional<AttributeValue>, std::string> attribute_value(const AttributeDef& def, const json::value& v) {
    AttributeValue out;
    switch (def.type) {
        case AttributeType::text: {
            if (!v.is_string()) return {std::nullopt, "must be a string"};
            auto s = std::string(v.get_string());
            if (s.empty() || s.size() > 500) return {std::nullopt, "must be 1 to 500 bytes of text"};
            out.text = std::move(s);
            break;
        }
        case AttributeType::option: {
            if (!v.is_string()) return {std::nullopt, "must be a string"};
            auto s = std::string(v.get_string());
            bool known = false;
            for (auto& o : def.options) known = known || o == s;
            if (!known) {
                std::string list;
                for (auto& o : def.options) list += (list.empty() ? "" : ", ") + o;
                return {std::nullopt, "must be one of " + list};
            }
            out.text = std::move(s);
            break;
        }
        case AttributeType::boolean:
            if (!v.is_bool()) return {std::nullopt, "must be true or false"};
            out.text = v.get_bool() ? "true" : "false";
            break;
        case AttributeType::number:
            if (!v.is_number()) return {std::nullopt, "must be a number"};
            out.number = v.to_number<double>();
            if (!std::isfinite(*out.number)) return {std::nullopt, "must be a finite number"};
            break;
    }
    return {std::move(out), ""};
}

json::value attribute_json(AttributeType type, const AttributeValue& v) {
    switch (type) {
        case AttributeType::number: {
            double d = v.number.value_or(0);
            // Whole numbers as integers: `3`, not `3.0`.
            if (std::trunc(d) == d && std::fabs(d) < 9e15) return json::value(static_cast<std::int64_t>(d));
            return json::value(d);
        }
        case AttributeType::boolean: return json::value(v.text.value_or("") == "true");
        default: return json::value(v.text.value_or(""));
    }
}

std::pair<std::vector<AttributeFilter>, std::optional<FilterProblem>> attribute_filters(
    const std::vector<std::pair<std::string, std::string>>& query, const std::vector<AttributeDef>& defs) {
    std::vector<AttributeFilter> out;
    auto fail = [&](const std::string& p, std::string m) {
        return std::pair<std::vector<AttributeFilter>, std::optional<FilterProblem>>{{}, FilterProblem{p, std::move(m)}};
    };
    for (auto& [name, value] : query) {
        std::string_view n = name;
        if (n.substr(0, 5) != "attr.") continue;
        n.remove_prefix(5);
        std::string_view bound;
        if (auto dot = n.find('.'); dot != std::string_view::npos) {
            bound = n.substr(dot + 1);
            n = n.substr(0, dot);
        }
        const AttributeDef* def = nullptr;
        for (auto& d : defs)
            if (d.code == n) def = &d;
        if (!def) return fail(name, "no attribute has this code");
        if (!bound.empty() && bound != "min" && bound != "max") return fail(name, "the only suffixes are .min and .max");
        if (!bound.empty() && def->type != AttributeType::number) return fail(name, ".min and .max apply to number attributes only");
        AttributeFilter* f = nullptr;
        for (auto& x : out)
            if (x.attribute_id == def->id) f = &x;
        if (!f) f = &out.emplace_back(AttributeFilter{def->id, {}, {}, {}});
        if (def->type == AttributeType::number) {
            auto d = parse_number(value);
            if (!d) return fail(name, "must be a number");
            if (bound != "max") f->min = f->min ? std::max(*f->min, *d) : *d;
            if (bound != "min") f->max = f->max ? std::min(*f->max, *d) : *d;
            continue;
        }
        auto values = split_commas(value);
        for (auto& v : values) {
            if (v.empty()) return fail(name, "must not hold an empty value");
            if (def->type == AttributeType::boolean && v != "true" && v != "false") return fail(name, "must be true or false");
            if (def->type == AttributeType::option) {
                bool known = false;
                for (auto& o : def->options) known = known || o == v;
                if (!known) return fail(name, "'" + v + "' is not an option of this attribute");
            }
        }
        if (!f->any_of.empty()) return fail(name, "is given twice; list the values once, separated by commas");
        f->any_of = std::move(values);
    }
    return {std::move(out), std::nullopt};
}

}  // namespace shop::catalog::domain
