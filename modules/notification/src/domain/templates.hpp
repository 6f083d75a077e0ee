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
