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

SearchResult SearchService::search(const std::string& q, const std::string& currency, int offset, int limit) {
    auto words = domain::tokenize(q);
    if (words.empty()) throw ErrorException(validation("q", "must contain at least one letter or digit"));
    std::string match = domain::fts_query(words);
    SearchResult out;
    out.currency = currency;
    static constexpr std::array<std::int64_t, 5> kEdges = {1000, 2500, 5000, 10000, 25000};  // minor units
    std::array<std::int64_t, kEdges.size() + 1> buckets{};
    auto price_in = [&](const std::string& prices_json) -> std::optional<std::int64_t> {
        json::value prices = json::parse(prices_json);
        for (auto& p : prices.as_array())
            if (p.at("currency").as_string() == currency) return p.at("amount").as_int64();
        return std::nullopt;
    };
    db_.read_snapshot([&](db::Reader& r) {
        out.total = r.count("SELECT COUNT(*) FROM search.products_fts WHERE products_fts MATCH ?", match);
        for (auto& row : r.query("SELECT d.product_id, d.title, d.slug, d.prices, f.rank FROM "
                                 "(SELECT rowid AS doc_id, bm25(products_fts, 10.0, 1.0) AS rank FROM search.products_fts "
                                 " WHERE products_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?) f "
                                 "JOIN search.documents d ON d.doc_id = f.doc_id ORDER BY f.rank",
                                 match, limit, offset)) {
            Hit h{api::of<api::Id<"prd">>(row.str(0)), row.str(1), row.str(2), {}, -row.f64(4)};
            if (auto a = price_in(row.str(3))) h.price = api::Money{*a, currency};
            out.data.push_back(std::move(h));
        }
        // Price facet over (at most) the first 1000 matches.
        for (auto& row : r.query("SELECT d.prices FROM (SELECT rowid AS doc_id FROM search.products_fts WHERE products_fts MATCH ? "
                                 "LIMIT 1000) f JOIN search.documents d ON d.doc_id = f.doc_id",
                                 match))
            if (auto a = price_in(row.str(0))) {
                std::size_t b = 0;
                while (b < kEdges.size() && *a >= kEdges[b]) ++b;
                ++buckets[b];
            }
    });
    for (std::size_t b = 0; b < buckets.size(); ++b) {
        PriceBucket pb{b == 0 ? 0 : kEdges[b - 1], {}, buckets[b]};
        if (b < kEdges.size()) pb.to = kEdges[b];
        out.facets.price.push_back(pb);
    }
    if (offset + limit < out.total) out.next_cursor = api::of<api::Cursor>(std::to_string(offset + limit));
    return out;
}

}  // namespace shop::search
