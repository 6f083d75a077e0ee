#include "domain/profile.hpp"

#include <cctype>
#include <vector>

#include "platform/countries.hpp"

namespace shop::identity::domain {
namespace {

template <class Pred>
bool all_of(std::string_view s, Pred pred) {
    for (unsigned char c : s)
        if (!pred(c)) return false;
    return !s.empty();
}
bool alpha(unsigned char c) { return std::isalpha(c) != 0; }
bool digit(unsigned char c) { return std::isdigit(c) != 0; }
bool alnum(unsigned char c) { return std::isalnum(c) != 0; }
std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::optional<std::string> normalize_locale(std::string_view tag) {
    if (tag.empty() || tag.size() > 35) return std::nullopt;
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        std::size_t end = tag.find_first_of("-_", start);
        parts.push_back(tag.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    std::size_t i = 0;
    if (parts[i].size() < 2 || parts[i].size() > 3 || !all_of(parts[i], alpha)) return std::nullopt;
    std::string out = lower(parts[i++]);
    if (i < parts.size() && parts[i].size() == 4 && all_of(parts[i], alpha)) {
        std::string script = lower(parts[i++]);
        script[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(script[0])));
        out += "-" + script;
    }
    if (i < parts.size() && parts[i].size() == 2 && all_of(parts[i], alpha)) {
        std::string region = upper(parts[i++]);
        if (!is_country_code(region)) return std::nullopt;
        out += "-" + region;
    } else if (i < parts.size() && parts[i].size() == 3 && all_of(parts[i], digit)) {
        out += "-" + std::string(parts[i++]);
    }
    for (; i < parts.size(); ++i) {
        std::string_view v = parts[i];
        bool long_variant = v.size() >= 5 && v.size() <= 8 && all_of(v, alnum);
        bool digit_variant = v.size() == 4 && std::isdigit(static_cast<unsigned char>(v[0])) && all_of(v, alnum);
        if (!long_variant && !digit_variant) return std::nullopt;
        out += "-" + lower(v);
    }
    return out;
}

}  // namespace shop::identity::domain
