#include "domain/templates.hpp"

namespace shop::notification::domain {

std::string render(std::string_view t, const std::map<std::string, std::string, std::less<>>& vars) {
    std::string out;
    out.reserve(t.size() + 256);
    std::size_t i = 0;
    while (i < t.size()) {
        auto open = t.find("{{", i);
        if (open == std::string_view::npos) break;
        auto close = t.find("}}", open + 2);
        if (close == std::string_view::npos) break;
        out.append(t.substr(i, open - i));
        auto name = t.substr(open + 2, close - open - 2);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        if (auto it = vars.find(name); it != vars.end()) out.append(it->second);
        i = close + 2;
    }
    out.append(t.substr(i));
    return out;
}

}  // namespace shop::notification::domain
