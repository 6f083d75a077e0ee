#pragma once
// Pure rules of typed product attributes: their definitions, the values products carry, and the
// list's `attr.` filters. No I/O.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace shop::catalog::domain {

/// Attributes are defined once for the whole store (any product may carry any of them); `type`
/// decides what a value is and how the list filters by it.
enum class AttributeType { text, number, boolean, option };

std::string_view to_string(AttributeType t) noexcept;
std::optional<AttributeType> attribute_type(std::string_view s) noexcept;

struct AttributeDef {
    std::string id;
    std::string code;  ///< lower-case letters, digits and '_', starting with a letter: `attr.<code>` in filters
    std::string name;
    AttributeType type = AttributeType::text;
    std::vector<std::string> options;  ///< the allowed values of an `option` attribute
};

/// Whether `code` is a valid attribute code (1..40 characters).
bool is_attribute_code(std::string_view code) noexcept;

/// A product's value of one attribute as stored: text (text, option, boolean as "true"/"false")
/// or a number.
struct AttributeValue {
    std::optional<std::string> text;
    std::optional<double> number;
};

/// `v` checked against `def`: the value, or why it is refused.
std::pair<std::optional<AttributeValue>, std::string> attribute_value(const AttributeDef& def, const boost::json::value& v);
/// The stored value as JSON (a string, a number or a boolean).
boost::json::value attribute_json(AttributeType type, const AttributeValue& v);

/// One `attr.` filter of the product list, on the attribute `attribute_id`.
struct AttributeFilter {
    std::string attribute_id;
    std::vector<std::string> any_of;  ///< text, option, boolean: the value is one of these
    std::optional<double> min, max;   ///< number: inclusive bounds (`attr.<code>` alone sets both)
};

/// A query parameter the filters could not read: its name and why.
struct FilterProblem {
    std::string parameter;
    std::string message;
};

/// The list filters named by query parameters `attr.<code>=v[,v...]` (any of the values; for a
/// number, exactly v), `attr.<code>.min=n` and `attr.<code>.max=n` (numbers only), looked up in
/// `defs`. Other parameters are ignored. A number attribute may have both bounds; a value list is
/// given once per attribute.
std::pair<std::vector<AttributeFilter>, std::optional<FilterProblem>> attribute_filters(
    const std::vector<std::pair<std::string, std::string>>& query, const std::vector<AttributeDef>& defs);

}  // namespace shop::catalog::domain
