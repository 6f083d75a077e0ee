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

SearchService::SearchService(db::Database& db, Logger& log) : db_(db), log_(log), full_text_(make_full_text(db.dialect())) {}

SearchService::~SearchService() = default;

void SearchService::start() {
    Ctx ctx = Ctx::system("search.start");
    db_.write("search", ctx, [&](db::Tx& tx) { full_text_->repair(tx); });
}

std::int64_t SearchService::indexed_count() {
    return db_.read([&](db::Reader& r) { return full_text_->indexed(r); });
}

void SearchService::index(db::Tx& tx, const catalog::events::ProductChanged& e) {
    auto stored = tx.one("SELECT CAST(doc_id AS BIGINT), source_updated_at, status FROM search.documents WHERE product_id = ?", e.product_id);
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
    bool was_indexed = false;
    if (stored) {
        doc_id = stored->i64(0);
        was_indexed = stored->str(2) == "published";
        tx.exec("UPDATE search.documents SET title = ?, slug = ?, description = ?, status = ?, prices = ?, source_updated_at = ? "
                "WHERE doc_id = ?",
                e.title, e.slug, e.description, e.status, prices_json, e.updated_at, doc_id);
    } else {
        tx.exec("INSERT INTO search.documents (product_id, title, slug, description, status, prices, source_updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                e.product_id, e.title, e.slug, e.description, e.status, prices_json, e.updated_at);
        doc_id = tx.count("SELECT CAST(doc_id AS BIGINT) FROM search.documents WHERE product_id = ?", e.product_id);
    }
    full_text_->reindex(tx, doc_id, was_indexed, e.status == "published", e.title, e.description);
}

SearchResult SearchService::search(const std::string& q, const std::string& currency, int offset, int limit) {
    auto words = domain::tokenize(q);
    if (words.empty()) throw ErrorException(validation("q", "must contain at least one letter or digit"));
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
        out.total = full_text_->count(r, words);
        if (out.total == 0) {
            // Nothing as typed: each word no document has is replaced by the indexed term it is
            // most probably a mistyping of; if that finds something, those are the hits and the
            // corrected query is the suggestion.
            auto corrected = words;
            bool changed = false;
            for (std::size_t i = 0; i < corrected.size(); ++i) {
                bool prefix = i + 1 == corrected.size();
                if (full_text_->known(r, corrected[i], prefix)) continue;
                if (auto c = domain::correction(corrected[i], full_text_->candidates(r, corrected[i]), prefix)) {
                    corrected[i] = *c;
                    changed = true;
                }
            }
            if (changed) {
                if (auto total = full_text_->count(r, corrected); total > 0) {
                    out.total = total;
                    words = std::move(corrected);
                    std::string suggestion;
                    for (auto& w : words) suggestion += (suggestion.empty() ? "" : " ") + w;
                    out.suggestion = suggestion;
                }
            }
        }
        for (auto& hit : full_text_->hits(r, words, limit, offset)) {
            Hit h{api::of<api::Id<"prd">>(hit.product_id), hit.title, hit.slug, {}, hit.score};
            if (auto a = price_in(hit.prices)) h.price = api::Money{*a, currency};
            out.data.push_back(std::move(h));
        }
        // Price facet over (at most) the first 1000 matches.
        for (auto& prices : full_text_->matching_prices(r, words, 1000))
            if (auto a = price_in(prices)) {
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
