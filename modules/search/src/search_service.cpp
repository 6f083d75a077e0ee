#include "search_service.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <map>
#include <set>

#include "domain/query.hpp"
#include "platform/db.hpp"
#include "platform/http.hpp"

namespace shop::search {
namespace json = boost::json;

namespace {

std::string json_strings(const std::vector<std::string>& items) {
    json::array a;
    for (auto& s : items) a.emplace_back(s);
    return json::serialize(a);
}

std::vector<std::string> strings_of(const std::string& text) {
    std::vector<std::string> out;
    json::value parsed = json::parse(text);
    for (auto& v : parsed.as_array()) out.emplace_back(v.as_string());
    return out;
}

/// Comma-separated ids or slugs, each resolved by `find` (422 naming `param` when one is unknown).
template <class Find>
std::vector<std::string> resolve_list(const std::string& list, const char* param, const char* what, Find find) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        auto end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        auto key = api::trim(std::string_view(list).substr(start, end - start));
        if (!key.empty()) {
            auto* found = find(key);
            if (!found) throw ErrorException(validation(param, fmt::format("no such {} '{}' (give ids or slugs, separated by commas)", what, key)));
            out.push_back(found->id);
        }
        start = end + 1;
    }
    return out;
}

domain::Corpus load_corpus(db::Reader& r) {
    domain::Corpus c;
    std::set<std::string> in_stock;
    for (auto& row : r.query("SELECT sku FROM search.stock WHERE in_stock = 1")) in_stock.insert(row.str(0));
    for (auto& row : r.query("SELECT product_id, title, slug, description, prices, brand_id, category_ids, image_url, rating_average, "
                             "rating_count, skus FROM search.documents WHERE status = 'published' ORDER BY doc_id")) {
        domain::Document d;
        d.product_id = row.str(0);
        d.title = row.str(1);
        d.slug = row.str(2);
        d.description = row.str(3);
        json::value prices = json::parse(row.str(4));
        for (auto& p : prices.as_array())
            d.prices.push_back({std::string(p.at("currency").as_string()), p.at("amount").as_int64()});
        d.brand_id = row.str(5);
        d.category_ids = strings_of(row.str(6));
        d.image_url = row.str(7);
        d.rating_average = row.f64(8);
        d.rating_count = row.i64(9);
        for (auto& sku : strings_of(row.str(10))) d.in_stock = d.in_stock || in_stock.count(sku);
        c.documents.push_back(std::move(d));
    }
    for (auto& row : r.query("SELECT category_id, name, slug, parent_id FROM search.categories ORDER BY category_id"))
        c.categories.push_back({row.str(0), row.str(1), row.str(2), row.str(3)});
    for (auto& row : r.query("SELECT brand_id, name, slug FROM search.brands ORDER BY brand_id"))
        c.brands.push_back({row.str(0), row.str(1), row.str(2)});
    for (auto& row : r.query("SELECT collection_id, name, slug, product_ids FROM search.collections ORDER BY collection_id"))
        c.collections.push_back({row.str(0), row.str(1), row.str(2), strings_of(row.str(3))});
    return c;
}

domain::Sort sort_of(const std::optional<SortOrder>& s) {
    if (!s || s->value == "relevance") return domain::Sort::relevance;
    if (s->value == "price") return domain::Sort::price_asc;
    if (s->value == "-price") return domain::Sort::price_desc;
    if (s->value == "newest") return domain::Sort::newest;
    return domain::Sort::rating;
}

}  // namespace

SearchService::SearchService(db::Database& db, Logger& log) : db_(db), log_(log) {}

SearchService::~SearchService() = default;

std::int64_t SearchService::indexed_count() { return static_cast<std::int64_t>(current()->size()); }

std::shared_ptr<const domain::Index> SearchService::current() {
    auto revision = db_.read([](db::Reader& r) { return r.count("SELECT value FROM search.state WHERE name = 'revision'"); });
    std::lock_guard lock(mu_);
    if (index_ && revision_ == revision) return index_;
    // Built from one snapshot, so the index and the revision it is marked with agree.
    db_.read_snapshot([&](db::Reader& r) {
        revision_ = r.count("SELECT value FROM search.state WHERE name = 'revision'");
        index_ = std::make_shared<const domain::Index>(load_corpus(r));
    });
    log_.debug("search index built", {{"products", static_cast<std::int64_t>(index_->size())}, {"revision", revision_}});
    return index_;
}

void SearchService::changed(db::Tx& tx) { tx.exec("UPDATE search.state SET value = value + 1 WHERE name = 'revision'"); }

void SearchService::index(db::Tx& tx, const catalog::events::ProductChanged& e) {
    auto stored = tx.one("SELECT CAST(doc_id AS BIGINT), source_updated_at FROM search.documents WHERE product_id = ?", e.product_id);
    if (stored && stored->str(1) > e.updated_at) return;  // an older snapshot arrived late
    std::map<std::string, std::int64_t> lowest;
    std::vector<std::string> skus;
    for (auto& v : e.variants) {
        skus.push_back(v.sku);
        for (auto& p : v.prices) {
            auto it = lowest.find(p.currency);
            if (it == lowest.end() || p.amount < it->second) lowest[p.currency] = p.amount;
        }
    }
    json::array prices;
    for (auto& [c, a] : lowest) prices.push_back(json::object{{"amount", a}, {"currency", c}});
    std::string prices_json = json::serialize(prices), categories_json = json_strings(e.category_ids), skus_json = json_strings(skus);
    if (stored) {
        tx.exec("UPDATE search.documents SET title = ?, slug = ?, description = ?, status = ?, prices = ?, source_updated_at = ?, brand_id = ?, "
                "category_ids = ?, image_url = ?, rating_average = ?, rating_count = ?, skus = ? WHERE doc_id = ?",
                e.title, e.slug, e.description, e.status, prices_json, e.updated_at, e.brand_id, categories_json, e.image_url,
                e.rating_average, e.rating_count, skus_json, stored->i64(0));
    } else {
        tx.exec("INSERT INTO search.documents (product_id, title, slug, description, status, prices, source_updated_at, brand_id, category_ids, "
                "image_url, rating_average, rating_count, skus) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                e.product_id, e.title, e.slug, e.description, e.status, prices_json, e.updated_at, e.brand_id, categories_json, e.image_url,
                e.rating_average, e.rating_count, skus_json);
    }
    changed(tx);
}

void SearchService::category_changed(db::Tx& tx, const catalog::events::CategoryChanged& e) {
    if (e.deleted) {
        tx.exec("DELETE FROM search.categories WHERE category_id = ?", e.category_id);
    } else {
        tx.exec("INSERT INTO search.categories (category_id, name, slug, parent_id) VALUES (?, ?, ?, ?) ON CONFLICT (category_id) DO UPDATE "
                "SET name = excluded.name, slug = excluded.slug, parent_id = excluded.parent_id",
                e.category_id, e.name, e.slug, e.parent_id);
    }
    changed(tx);
}

void SearchService::brand_changed(db::Tx& tx, const catalog::events::BrandChanged& e) {
    if (e.deleted) {
        tx.exec("DELETE FROM search.brands WHERE brand_id = ?", e.brand_id);
    } else {
        tx.exec("INSERT INTO search.brands (brand_id, name, slug) VALUES (?, ?, ?) ON CONFLICT (brand_id) DO UPDATE "
                "SET name = excluded.name, slug = excluded.slug",
                e.brand_id, e.name, e.slug);
    }
    changed(tx);
}

void SearchService::collection_changed(db::Tx& tx, const catalog::events::CollectionChanged& e) {
    if (e.deleted) {
        tx.exec("DELETE FROM search.collections WHERE collection_id = ?", e.collection_id);
    } else {
        tx.exec("INSERT INTO search.collections (collection_id, name, slug, product_ids) VALUES (?, ?, ?, ?) ON CONFLICT (collection_id) "
                "DO UPDATE SET name = excluded.name, slug = excluded.slug, product_ids = excluded.product_ids",
                e.collection_id, e.name, e.slug, json_strings(e.product_ids));
    }
    changed(tx);
}

void SearchService::stock_changed(db::Tx& tx, const inventory::events::StockStatusChanged& e) {
    tx.exec("INSERT INTO search.stock (sku, in_stock) VALUES (?, ?) ON CONFLICT (sku) DO UPDATE SET in_stock = excluded.in_stock", e.sku,
            e.in_stock ? 1 : 0);
    changed(tx);
}

SearchResult SearchService::search(const SearchQuery& q, const std::string& currency, int offset) {
    auto words = domain::tokenize(q.q.value);
    if (words.empty()) throw ErrorException(validation("q", "must contain at least one letter or digit"));
    if (q.min_price && q.max_price && q.min_price->value > q.max_price->value)
        throw ErrorException(validation("min_price", "must not be above max_price"));
    auto index = current();
    domain::Query dq;
    dq.words = std::move(words);
    dq.currency = currency;
    dq.sort = sort_of(q.sort);
    dq.offset = offset;
    dq.limit = q.limit ? static_cast<int>(q.limit->value) : 20;
    auto& f = dq.filters;
    if (q.category) f.category_ids = resolve_list(q.category->value, "category", "category", [&](const std::string& k) { return index->category(k); });
    if (q.brand) f.brand_ids = resolve_list(q.brand->value, "brand", "brand", [&](const std::string& k) { return index->brand(k); });
    if (q.collection) {
        auto* c = index->collection(q.collection->value);
        if (!c) throw ErrorException(validation("collection", "no such collection (give its id or slug)"));
        f.collection_id = c->id;
    }
    if (q.min_price) f.min_price = q.min_price->value;
    if (q.max_price) f.max_price = q.max_price->value;
    if (q.min_rating) f.min_rating = static_cast<int>(q.min_rating->value);
    f.in_stock_only = q.in_stock.value_or(false);

    auto found = index->search(dq);
    SearchResult out;
    out.currency = currency;
    out.total = found.total;
    if (found.suggestion) out.suggestion = *found.suggestion;
    for (auto& hit : found.hits) {
        Hit h;
        fill_card(h, *index, *hit.doc, currency);
        h.score = hit.score;
        out.data.push_back(std::move(h));
    }
    for (auto& b : found.brands) out.facets.brand.push_back({b.id, b.name, b.slug, b.count});
    for (auto& c : found.categories) out.facets.category.push_back({c.id, c.name, c.slug, c.count});
    for (std::size_t b = 0; b < found.price_buckets.size(); ++b) {
        PriceBucket pb{b == 0 ? 0 : domain::kPriceEdges[b - 1], {}, found.price_buckets[b]};
        if (b < domain::kPriceEdges.size()) pb.to = domain::kPriceEdges[b];
        out.facets.price.push_back(pb);
    }
    for (std::size_t r = 0; r < found.rating_at_least.size(); ++r)
        out.facets.rating.push_back({static_cast<std::int64_t>(r + 1), found.rating_at_least[r]});
    if (offset + dq.limit < out.total) out.next_cursor = api::of<api::Cursor>(std::to_string(offset + dq.limit));
    return out;
}

SuggestResult SearchService::suggest(const std::string& q, std::size_t limit) {
    auto found = current()->suggest(q, limit);
    SuggestResult out;
    for (auto& s : found.items) {
        SuggestItem item;
        item.kind.value = s.kind;
        item.text = s.text;
        item.id = s.id;
        item.slug = s.slug;
        out.data.push_back(std::move(item));
    }
    if (found.corrected) out.suggestion = *found.corrected;
    return out;
}

}  // namespace shop::search

namespace shop::search {

void SearchService::order_confirmed(db::Tx& tx, const ordering::events::OrderConfirmed& e) {
    std::set<std::string> products;
    for (auto& l : e.lines) products.insert(l.product_id);
    // A very large order says little about which two of its products belong together, and its
    // pairs grow with the square of its lines: only the first 20 products count.
    std::vector<std::string> counted(products.begin(), products.end());
    if (counted.size() > 20) counted.resize(20);
    for (auto& a : counted)
        for (auto& b : counted)
            if (a != b)
                if (!tx.exec("UPDATE search.bought_together SET orders = orders + 1 WHERE product_id = ? AND other_id = ?", a, b))
                    tx.exec("INSERT INTO search.bought_together (product_id, other_id, orders) VALUES (?, ?, 1)", a, b);
}

Result<RecommendationsResult> SearchService::recommendations(const std::string& key, const std::string& currency, std::size_t limit) {
    auto index = current();
    const auto* doc = index->find(key);
    if (!doc) return not_found(fmt::format("no product '{}'", key));
    RecommendationsResult out;
    out.currency = currency;
    std::vector<std::string> taken;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT other_id, orders FROM search.bought_together WHERE product_id = ? ORDER BY orders DESC, other_id "
                                 "LIMIT 100",
                                 doc->product_id)) {
            if (out.data.size() >= limit) break;
            const auto* other = index->find(row.str(0));
            if (!other) continue;  // no longer published
            Recommendation rec;
            fill_card(rec, *index, *other, currency);
            rec.reason.value = "bought_together";
            rec.orders = row.i64(1);
            out.data.push_back(std::move(rec));
            taken.push_back(other->product_id);
        }
    });
    if (out.data.size() < limit)
        for (const auto* other : index->same_category(*doc, limit - out.data.size(), taken)) {
            Recommendation rec;
            fill_card(rec, *index, *other, currency);
            rec.reason.value = "same_category";
            out.data.push_back(std::move(rec));
        }
    return out;
}

}  // namespace shop::search
