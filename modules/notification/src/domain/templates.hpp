#pragma once
// {{variable}} templates: pure rendering, no I/O.
#include <map>
#include <string>
#include <string_view>

namespace shop::notification::domain {

/// Replaces every {{name}} (spaces inside the braces allowed) with vars[name]; an unknown
/// variable renders as an empty string, so a template typo never leaks braces to a customer.
std::string render(std::string_view tmpl, const std::map<std::string, std::string, std::less<>>& vars);

}  // namespace shop::notification::domain

namespace shop::notification::domain {

/// `s` with &, <, >, " and ' as HTML character references.
std::string html_escape(std::string_view s);

/// The HTML alternative of a plain-text mail: each paragraph (text between blank lines) a <p> that
/// keeps its line breaks and indentation, every character escaped, http(s) links made clickable.
std::string html_of_text(std::string_view text);

}  // namespace shop::notification::domain
