#include "platform/email.hpp"

#include <cctype>

namespace shop {

std::optional<std::string> normalize_email(std::string_view email) {
    while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) email.remove_prefix(1);
    while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) email.remove_suffix(1);
    if (email.size() < 3 || email.size() > 254) return std::nullopt;
    auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) return std::nullopt;
    auto domain = email.substr(at + 1);
    auto dot = domain.find('.');
    if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return std::nullopt;
    std::string out;
    for (char c : email) {
        auto u = static_cast<unsigned char>(c);
        if (std::isspace(u) || std::iscntrl(u) || c == '<' || c == '>' || c == ',' || c == ';' || c == '"') return std::nullopt;
        out.push_back(static_cast<char>(std::tolower(u)));
    }
    return out;
}

}  // namespace shop
