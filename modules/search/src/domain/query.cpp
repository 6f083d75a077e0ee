#include "domain/query.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

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

int typo_budget(std::string_view word) {
    if (word.size() < 4) return 0;
    if (word.size() < 8) return 1;
    return 2;
}

int edit_distance(std::string_view a, std::string_view b, int max) {
    int la = static_cast<int>(a.size()), lb = static_cast<int>(b.size());
    if (std::abs(la - lb) > max) return max + 1;
    // Three rows: the one before the previous is needed for swaps.
    std::vector<int> prev2(lb + 1), prev(lb + 1), cur(lb + 1);
    for (int j = 0; j <= lb; ++j) prev[j] = j;
    for (int i = 1; i <= la; ++i) {
        cur[0] = i;
        int row_min = cur[0];
        for (int j = 1; j <= lb; ++j) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
            row_min = std::min(row_min, cur[j]);
        }
        if (row_min > max) return max + 1;
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return std::min(prev[lb], max + 1);
}

std::optional<std::string> correction(std::string_view word, const std::vector<std::string>& candidates, bool prefix) {
    int budget = typo_budget(word);
    if (budget == 0) return std::nullopt;
    std::optional<std::string> best;
    int best_distance = budget + 1;
    for (auto& c : candidates) {
        int d = edit_distance(word, c, budget);
        if (prefix)  // "yoag" is near "yoga", the beginning of "yogamat"
            for (std::size_t n = word.size() > 1 ? word.size() - 1 : 1; n <= word.size() + 1 && n < c.size(); ++n)
                d = std::min(d, edit_distance(word, std::string_view(c).substr(0, n), budget));
        if (d < best_distance || (d == best_distance && best && c < *best)) {
            best_distance = d;
            best = c;
        }
    }
    if (best_distance > budget) return std::nullopt;
    return best;
}

}  // namespace shop::search::domain
