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

namespace shop::notification::domain {

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 16);
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

namespace {
// One paragraph's text, escaped, with http(s) URLs (up to the next white space) as links.
std::string linked(std::string_view p) {
    std::string out;
    std::size_t i = 0;
    while (i < p.size()) {
        auto http = p.find("http", i);
        bool url = http != std::string_view::npos && (p.substr(http, 7) == "http://" || p.substr(http, 8) == "https://");
        if (!url) {
            std::size_t next = http == std::string_view::npos ? p.size() : http + 4;
            out += html_escape(p.substr(i, next - i));
            i = next;
            continue;
        }
        out += html_escape(p.substr(i, http - i));
        auto end = p.find_first_of(" \t\n", http);
        if (end == std::string_view::npos) end = p.size();
        std::string href = html_escape(p.substr(http, end - http));
        out += "<a href=\"" + href + "\">" + href + "</a>";
        i = end;
    }
    return out;
}
}  // namespace

std::string html_of_text(std::string_view text) {
    std::string out = "<!DOCTYPE html>\n<html><body style=\"font-family: sans-serif; line-height: 1.4\">\n";
    std::string para;
    auto flush = [&] {
        while (!para.empty() && para.back() == '\n') para.pop_back();
        if (!para.empty()) out += "<p style=\"white-space: pre-wrap\">" + linked(para) + "</p>\n";
        para.clear();
    };
    std::size_t i = 0;
    while (i <= text.size()) {
        auto nl = text.find('\n', i);
        std::string_view line = text.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) flush();
        else para.append(line).push_back('\n');
        if (nl == std::string_view::npos) break;
        i = nl + 1;
    }
    flush();
    return out + "</body></html>\n";
}

}  // namespace shop::notification::domain
