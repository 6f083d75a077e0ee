#include "domain/product_list.hpp"

#include <boost/json.hpp>

namespace shop::catalog::domain {
namespace json = boost::json;

std::optional<ListOrder> list_order(std::string_view sort) {
    ListOrder out;
    out.name = std::string(sort);
    if (sort.empty() || sort == "newest") {
        out.name = "newest";
        return out;
    }
    out.descending = sort.front() == '-';
    if (out.descending) sort.remove_prefix(1);
    if (sort == "created") out.key = SortKey::created;
    else if (sort == "price") out.key = SortKey::price;
    else if (sort == "title") out.key = SortKey::title;
    else if (sort == "rating") out.key = SortKey::rating;
    else return std::nullopt;
    return out;
}

std::string encode_position(const ListPosition& p) {
    json::array a{json::value(p.sort), json::value(p.currency), json::value(p.text_key), json::value(p.int_key), json::value(p.id)};
    return json::serialize(a);
}

std::optional<ListPosition> decode_position(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_array()) return std::nullopt;
    auto& a = v.get_array();
    if (a.size() != 5 || !a[0].is_string() || !a[1].is_string() || !a[2].is_string() || !a[3].is_int64() || !a[4].is_string())
        return std::nullopt;
    ListPosition p;
    p.sort = std::string(a[0].get_string());
    p.currency = std::string(a[1].get_string());
    p.text_key = std::string(a[2].get_string());
    p.int_key = a[3].get_int64();
    p.id = std::string(a[4].get_string());
    if (!list_order(p.sort) || p.id.empty()) return std::nullopt;
    return p;
}

std::string title_key(std::string_view title) {
    std::string out(title);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::int64_t rating_key(std::int64_t sum, std::int64_t count) {
    if (count <= 0) return 0;
    return (sum * 2000 + count) / (2 * count);
}

}  // namespace shop::catalog::domain
