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
    return db_.read([](db::Reader& r) { return r.count("SELECT COUNT(*) FROM search.products_fts"); });
}

void SearchService::index(db::Tx& tx, const catalog::events::ProductChanged& e) {
    auto stored = tx.one("SELECT CAST(doc_id AS BIGINT), source_updated_at FROM search.documents WHERE product_id = ?", e.product_id);
    if (stored && stored->str(1) > e.updated_at) return;  // an older snapshot arrived late
    std::map<std::string, std::int64_t> lowest;
    for (auto& v : e.variants)
        for (auto& p : v.prices) {
            auto it = lowest.find(p.currency);
            if (it == lowest.end() || p.amount < it->second) lowest[p.currency] = p.amount;
        }
    json::array prices;
    for (auto& [c, a] : lowest) prices.push_back(json::object{{"amount", a}, {"currency", c}});
    std::string prices_json = json::serialize(prices);
    std::int64_t doc_id = 0;
    if (stored) {
        doc_id = stored->i64(0);
        tx.exec("UPDATE search.documents SET title = ?, slug = ?, description = ?, status = ?, prices = ?, source_updated_at = ? "
                "WHERE doc_id = ?",
                e.title, e.slug, e.description, e.status, prices_json, e.updated_at, doc_id);
        tx.exec("DELETE FROM search.products_fts WHERE rowid = ?", doc_id);
    } else {
        tx.exec("INSERT INTO search.documents (product_id, title, slug, description, status, prices, source_updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                e.product_id, e.title, e.slug, e.description, e.status, prices_json, e.updated_at);
        doc_id = tx.count("SELECT CAST(doc_id AS BIGINT) FROM search.documents WHERE product_id = ?", e.product_id);
    }
    if (e.status == "published")
        tx.exec("INSERT INTO search.products_fts (rowid, title, description) VALUES (?, ?, ?)", doc_id, e.title, e.description);
}

json::object SearchService::search(const std::string& q, const std::string& currency, int offset, int limit) {
    auto words = domain::tokenize(q);
    if (words.empty()) throw ErrorException(validation("q", "must contain at least one letter or digit"));
    std::string match = domain::fts_query(words);
    json::array data;
    std::int64_t total = 0;
    static constexpr std::array<std::int64_t, 5> kEdges = {1000, 2500, 5000, 10000, 25000};  // minor units
    std::array<std::int64_t, kEdges.size() + 1> buckets{};
    db_.read_snapshot([&](db::Reader& r) {
        total = r.count("SELECT COUNT(*) FROM search.products_fts WHERE products_fts MATCH ?", match);
        for (auto& row : r.query("SELECT d.product_id, d.title, d.slug, d.prices, f.rank FROM "
                                 "(SELECT rowid AS doc_id, bm25(products_fts, 10.0, 1.0) AS rank FROM search.products_fts "
                                 " WHERE products_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?) f "
                                 "JOIN search.documents d ON d.doc_id = f.doc_id ORDER BY f.rank",
                                 match, limit, offset)) {
            json::value price = nullptr;
            json::value prices = json::parse(row.str(3));
            for (auto& p : prices.as_array())
                if (p.at("currency").as_string() == currency) price = p;
            data.push_back(json::object{{"id", row.str(0)}, {"title", row.str(1)}, {"slug", row.str(2)}, {"price", price},
                                        {"score", -row.f64(4)}});
        }
        // Price facet over (at most) the first 1000 matches.
        for (auto& row : r.query("SELECT d.prices FROM (SELECT rowid AS doc_id FROM search.products_fts WHERE products_fts MATCH ? "
                                 "LIMIT 1000) f JOIN search.documents d ON d.doc_id = f.doc_id",
                                 match)) {
            json::value prices = json::parse(row.str(0));
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
