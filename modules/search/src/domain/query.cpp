#include "domain/query.hpp"

#include <cctype>

namespace shop::search::domain {

std::vector<std::string> tokenize(std::string_view q) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        if (!cur.empty() && out.size() < 10) out.push_back(cur.substr(0, 64));
        cur.clear();
    };
    for (unsigned char c : q) {
        if (std::isalnum(c) || c >= 0x80) cur.push_back(static_cast<char>(std::tolower(c)));
        else flush();
    }
    flush();
    return out;
}

std::string fts_query(const std::vector<std::string>& words) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i) out.push_back(' ');
        out.push_back('"');
        for (char c : words[i]) {
            if (c == '"') out.push_back('"');  // FTS5 escapes a quote inside a string by doubling it
            out.push_back(c);
        }
        out.push_back('"');
        if (i + 1 == words.size()) out.push_back('*');
    }
    return out;
}

std::string tsquery(const std::vector<std::string>& words) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i) out += " & ";
        out.push_back('\'');
        for (char c : words[i]) {
            if (c == '\'' || c == '\\') out.push_back('\\');
            out.push_back(c);
        }
        out.push_back('\'');
        if (i + 1 == words.size()) out += ":*";
    }
    return out;
}

}  // namespace shop::search::domain
