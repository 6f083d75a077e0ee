#include "search_service.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <array>
#include <map>

#include "domain/query.hpp"
#include "platform/db.hpp"
#include "platform/http.hpp"

namespace shop::search {
namespace json = boost::json;

std::int64_t SearchService::indexed_count() {
    long long n = 0;
    db_.read([&](soci::session& s) { s << "SELECT COUNT(*) FROM search.products_fts", soci::into(n); });
    return n;
}

void SearchService::index(db::Tx& tx, const catalog::events::ProductChanged& e) {
    auto& s = tx.sql();
    std::string stored;
    soci::indicator ind = soci::i_null;
    s << "SELECT source_updated_at FROM search.documents WHERE product_id = :id", soci::into(stored, ind), soci::use(e.product_id);
    if (ind == soci::i_ok && stored > e.updated_at) return;  // an older snapshot arrived late
    std::map<std::string, std::int64_t> lowest;
    for (auto& v : e.variants)
        for (auto& p : v.prices) {
            auto it = lowest.find(p.currency);
            if (it == lowest.end() || p.amount < it->second) lowest[p.currency] = p.amount;
        }
    json::array prices;
    for (auto& [c, a] : lowest) prices.push_back(json::object{{"amount", a}, {"currency", c}});
    std::string prices_json = json::serialize(prices);
    s << "INSERT INTO search.documents (product_id, title, slug, description, status, prices, source_updated_at) "
         "VALUES (:id, :t, :s, :d, :st, :p, :u) ON CONFLICT (product_id) DO UPDATE SET title = excluded.title, "
         "slug = excluded.slug, description = excluded.description, status = excluded.status, prices = excluded.prices, "
         "source_updated_at = excluded.source_updated_at",
        soci::use(e.product_id), soci::use(e.title), soci::use(e.slug), soci::use(e.description), soci::use(e.status),
        soci::use(prices_json), soci::use(e.updated_at);
    s << "DELETE FROM search.products_fts WHERE product_id = :id", soci::use(e.product_id);
    if (e.status == "published")
        s << "INSERT INTO search.products_fts (product_id, title, description) VALUES (:id, :t, :d)", soci::use(e.product_id),
            soci::use(e.title), soci::use(e.description);
}

json::object SearchService::search(const std::string& q, const std::string& currency, int offset, int limit) {
    auto words = domain::tokenize(q);
    if (words.empty()) throw ErrorException(validation("q", "must contain at least one letter or digit"));
    std::string match = domain::fts_query(words);
    json::array data;
    long long total = 0;
    static constexpr std::array<std::int64_t, 5> kEdges = {1000, 2500, 5000, 10000, 25000};  // minor units
    std::array<long long, kEdges.size() + 1> buckets{};
    db_.read([&](soci::session& s) {
        s << "SELECT COUNT(*) FROM search.products_fts WHERE products_fts MATCH :q", soci::into(total), soci::use(match);
        soci::rowset<soci::row> rs = (s.prepare <<
            "SELECT d.product_id, d.title, d.slug, d.prices, f.rank FROM "
            "(SELECT product_id, bm25(products_fts, 0.0, 10.0, 1.0) AS rank FROM search.products_fts "
            " WHERE products_fts MATCH :q ORDER BY rank LIMIT :n OFFSET :o) f "
            "JOIN search.documents d ON d.product_id = f.product_id ORDER BY f.rank",
            soci::use(match, "q"), soci::use(limit, "n"), soci::use(offset, "o"));
        for (auto& r : rs) {
            json::value price = nullptr;
            json::value prices = json::parse(db::col_str(r, 3));
            for (auto& p : prices.as_array())
                if (p.at("currency").as_string() == currency) price = p;
            double rank = db::col_double(r, 4);
            data.push_back(json::object{{"id", db::col_str(r, 0)}, {"title", db::col_str(r, 1)}, {"slug", db::col_str(r, 2)},
                                        {"price", price}, {"score", -rank}});
        }
        // Price facet over (at most) the first 1000 matches.
        soci::rowset<soci::row> ps = (s.prepare << "SELECT d.prices FROM (SELECT product_id FROM search.products_fts "
                                                   "WHERE products_fts MATCH :q LIMIT 1000) f "
                                                   "JOIN search.documents d ON d.product_id = f.product_id", soci::use(match));
        for (auto& r : ps) {
            json::value prices = json::parse(db::col_str(r, 0));
            for (auto& p : prices.as_array())
                if (p.at("currency").as_string() == currency) {
                    auto a = p.at("amount").as_int64();
                    std::size_t b = 0;
                    while (b < kEdges.size() && a >= kEdges[b]) ++b;
                    ++buckets[b];
                }
        }
    });
    json::array price_facet;
    for (std::size_t b = 0; b < buckets.size(); ++b) {
        json::object o{{"from", b == 0 ? json::value(0) : json::value(kEdges[b - 1])},
                       {"to", b < kEdges.size() ? json::value(kEdges[b]) : json::value(nullptr)},
                       {"count", buckets[b]}};
        price_facet.push_back(std::move(o));
    }
    bool more = offset + limit < total;
    return json::object{{"data", std::move(data)},
                        {"total", total},
                        {"facets", json::object{{"brand", json::array{}}, {"category", json::array{}},
                                                {"price", std::move(price_facet)}, {"rating", json::array{}}}},
                        {"suggestion", nullptr},
                        {"currency", currency},
                        {"next_cursor", more ? json::value(http::encode_cursor(std::to_string(offset + limit))) : json::value(nullptr)}};
}

}  // namespace shop::search
