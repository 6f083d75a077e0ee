#pragma once
// Mustache templates (kainjow/mustache): pure rendering and validation, no I/O.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shop::notification::domain {

/// The values a template renders with: plain variables, and lists of records for sections
/// (`{{#lines}}{{quantity}} x {{title}}{{/lines}}`).
struct Values {
    std::map<std::string, std::string, std::less<>> vars;
    std::map<std::string, std::vector<std::map<std::string, std::string, std::less<>>>, std::less<>> lists;
};

/// The names a template may use: its variables, and each list with the fields of its records.
struct Schema {
    std::vector<std::string> vars;
    std::map<std::string, std::vector<std::string>, std::less<>> lists;
};

enum class Escape { none, html, json, form };

/// Renders Mustache `tmpl` with `values`; `{{x}}` is HTML-escaped when `escape` is html (for HTML
/// bodies; `{{{x}}}` never is), written as is for subjects and plain text, escaped for a JSON
/// string (json) or percent-encoded (form: application/x-www-form-urlencoded) in a provider's
/// request body. A template that does
/// not parse renders as "" (templates are validated when saved).
std::string render(std::string_view tmpl, const Values& values, Escape escape);

/// Why `tmpl` cannot be saved for a message of `schema`, or nullopt when it can: a syntax error
/// (an unclosed section, ...), a partial, or a variable or section the schema does not have
/// ("unknown variable 'nmae'").
std::optional<std::string> template_problem(std::string_view tmpl, const Schema& schema);

/// Values with a sample for every name of `schema` (each list with `sample_items` records).
Values sample_values(const Schema& schema, const std::map<std::string, std::string, std::less<>>& samples, std::size_t sample_items);

/// `s` with &, <, >, " and ' as HTML character references.
std::string html_escape(std::string_view s);

/// The HTML alternative of a plain-text mail: each paragraph (text between blank lines) a <p> that
/// keeps its line breaks and indentation, every character escaped, http(s) links made clickable.
std::string html_of_text(std::string_view text);

}  // namespace shop::notification::domain
