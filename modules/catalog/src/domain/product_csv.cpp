#include "product_csv.hpp"

#include <csv.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "platform/money.hpp"

namespace shop::catalog::domain {
namespace {

struct Collect {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> current;
};

void on_field(void* data, std::size_t len, void* out) {
    static_cast<Collect*>(out)->current.emplace_back(data ? static_cast<const char*>(data) : "", data ? len : 0);
}

void on_record(int, void* out) {
    auto* c = static_cast<Collect*>(out);
    c->records.push_back(std::move(c->current));
    c->current.clear();
}

}  // namespace

Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) throw std::bad_alloc();
    Collect c;
    std::size_t done = csv_parse(&p, text.data(), text.size(), on_field, on_record, &c);
    int status = done == text.size() ? csv_fini(&p, on_field, on_record, &c) : -1;
    int error = csv_error(&p);
    csv_free(&p);
    if (done != text.size() || status != 0)
        return validation("body", fmt::format("is not valid CSV at record {}: {}", c.records.size() + 1,
                                              error == CSV_EPARSE ? "a quote is misplaced or never closed" : csv_strerror(error)));
    return c.records;
}

std::string csv_record(const std::vector<std::string>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out.push_back(',');
        std::string quoted(fields[i].size() * 2 + 2, '\0');
        quoted.resize(csv_write(quoted.data(), quoted.size(), fields[i].data(), fields[i].size()));
        out += quoted;
    }
    out += "\r\n";
    return out;
}

namespace {
/// A formula start, or quotes before one (so that a text really starting with `'=` survives).
bool needs_guard(std::string_view t) {
    while (!t.empty() && t[0] == '\'') t.remove_prefix(1);
    return !t.empty() && (t[0] == '=' || t[0] == '+' || t[0] == '-' || t[0] == '@' || t[0] == '\t' || t[0] == '\r');
}
}  // namespace

std::string guard_cell(std::string_view text) {
    return needs_guard(text) ? "'" + std::string(text) : std::string(text);
}

std::string unguard_cell(std::string_view text) {
    if (!text.empty() && text[0] == '\'' && needs_guard(text.substr(1))) text.remove_prefix(1);
    return std::string(text);
}

std::string options_cell(const std::vector<std::pair<std::string, std::string>>& options) {
    auto escape = [](const std::string& s) {
        std::string out;
        for (char ch : s) {
            if (ch == ';' || ch == '=' || ch == '\\') out.push_back('\\');
            out.push_back(ch);
        }
        return out;
    };
    std::string out;
    for (auto& [name, value] : options) {
        if (!out.empty()) out.push_back(';');
        out += escape(name) + "=" + escape(value);
    }
    return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_options_cell(std::string_view cell, std::string& problem) {
    std::vector<std::pair<std::string, std::string>> out;
    if (cell.empty()) return out;
    std::string name, value;
    bool in_value = false;
    auto finish = [&]() -> bool {
        if (!in_value || name.empty() || value.empty()) {
            problem = "must be name=value pairs separated by ';' (e.g. size=M;colour=red)";
            return false;
        }
        if (std::any_of(out.begin(), out.end(), [&](auto& o) { return o.first == name; })) {
            problem = fmt::format("names the option '{}' twice", name);
            return false;
        }
        out.emplace_back(std::move(name), std::move(value));
        name.clear();
        value.clear();
        in_value = false;
        return true;
    };
    for (std::size_t i = 0; i < cell.size(); ++i) {
        char ch = cell[i];
        if (ch == '\\') {
            if (i + 1 == cell.size()) {
                problem = "ends with a lone '\\'";
                return std::nullopt;
            }
            (in_value ? value : name).push_back(cell[++i]);
        } else if (ch == ';') {
            if (!finish()) return std::nullopt;
        } else if (ch == '=' && !in_value) {
            in_value = true;
        } else {
            (in_value ? value : name).push_back(ch);
        }
    }
    if (!finish()) return std::nullopt;
    return out;
}

Result<std::vector<CsvColumn>> read_header(const std::vector<std::string>& header, const std::vector<std::string>& warehouses, bool stock) {
    using K = CsvColumn::Kind;
    static const std::map<std::string, K, std::less<>> kPlain = {
        {"product_id", K::product_id}, {"handle", K::handle},         {"title", K::title},
        {"status", K::status},         {"description", K::description}, {"brand", K::brand},
        {"categories", K::categories}, {"tax_class", K::tax_class},   {"meta_title", K::meta_title},
        {"meta_description", K::meta_description}, {"sku", K::sku},   {"variant_title", K::variant_title},
        {"options", K::options},       {"weight_grams", K::weight_grams}};
    std::vector<CsvColumn> out;
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string name = header[i];
        auto field = fmt::format("header[{}]", i);
        if (auto it = kPlain.find(name); it != kPlain.end()) {
            out.push_back({it->second, name, ""});
        } else if (name.starts_with("price.")) {
            auto currency = name.substr(6);
            if (!is_iso4217_currency(currency))
                return validation(field, fmt::format("'{}' names no ISO 4217 currency (price columns are price.<CUR>, e.g. price.USD)", name));
            out.push_back({K::price, name, currency});
        } else if (name.starts_with("stock.")) {
            auto code = name.substr(6);
            if (!stock) return validation(field, fmt::format("'{}': this shop has no stock to import", name));
            if (std::find(warehouses.begin(), warehouses.end(), code) == warehouses.end())
                return validation(field, fmt::format("'{}' names no warehouse (stock columns are stock.<warehouse code>)", name));
            out.push_back({K::stock, name, code});
        } else {
            return validation(field, fmt::format("'{}' is not a column of the product CSV", name));
        }
        for (std::size_t j = 0; j + 1 < out.size(); ++j)
            if (out[j].name == name) return validation(field, fmt::format("the column '{}' appears twice", name));
    }
    for (const char* required : {"handle", "sku"})
        if (std::none_of(out.begin(), out.end(), [&](auto& c) { return c.name == required; }))
            return validation("header", fmt::format("must have a '{}' column", required));
    return out;
}

std::optional<std::int64_t> parse_count(std::string_view cell) {
    if (cell.empty() || cell.size() > 18) return std::nullopt;
    std::int64_t n = 0;
    for (char ch : cell) {
        if (ch < '0' || ch > '9') return std::nullopt;
        n = n * 10 + (ch - '0');
    }
    return n;
}

}  // namespace shop::catalog::domain
