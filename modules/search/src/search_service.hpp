#pragma once

#include <memory>
#include <mutex>

#include "catalog/events.hpp"
#include "domain/index.hpp"
#include "inventory/events.hpp"
#include "ordering/events.hpp"
#include "platform/log.hpp"
#include "search/api.hpp"
#include "wire.hpp"

namespace shop::db {
class Database;
class Tx;
}

namespace shop::search {

class SearchService final : public SearchApi {
public:
    SearchService(db::Database& db, Logger& log);
    ~SearchService() override;
    std::int64_t indexed_count() override;

    /// Hits for the query's words with its filters, sort, page and facets (domain::Index::search).
    /// A category, brand or collection that does not exist is 422 naming the parameter.
    SearchResult search(const SearchQuery& q, const std::string& currency, int offset);
    /// Autocomplete over category names, brand names and product titles.
    SuggestResult suggest(const std::string& q, std::size_t limit);
    /// Products most often bought with the published product `key` (id or slug), then products of
    /// its category (domain::Index::same_category) to fill `limit`; 404 for an unknown product.
    Result<RecommendationsResult> recommendations(const std::string& key, const std::string& currency, std::size_t limit);

    // Event effects, each in the handler's transaction; every one bumps the revision.
    /// Upserts the product's document; only published products are searchable. Ignores stale events.
    void index(db::Tx& tx, const catalog::events::ProductChanged& e);
    void category_changed(db::Tx& tx, const catalog::events::CategoryChanged& e);
    void brand_changed(db::Tx& tx, const catalog::events::BrandChanged& e);
    void collection_changed(db::Tx& tx, const catalog::events::CollectionChanged& e);
    void stock_changed(db::Tx& tx, const inventory::events::StockStatusChanged& e);
    /// Counts every pair of products of a paid order as bought together once.
    void order_confirmed(db::Tx& tx, const ordering::events::OrderConfirmed& e);

    /// The index as of the tables' current revision: the one in memory, or a new one built from
    /// the tables when they changed since (here or on another instance sharing the database).
    std::shared_ptr<const domain::Index> current();
    /// Reply fields every product card shares (search hits, recommendations).
    template <class Card>
    void fill_card(Card& out, const domain::Index& index, const domain::Document& doc, const std::string& currency) const;

private:
    void changed(db::Tx& tx);

    db::Database& db_;
    Logger& log_;
    std::mutex mu_;  ///< guards index_ and serialises rebuilds
    std::shared_ptr<const domain::Index> index_;
    std::int64_t revision_ = -1;
};

template <class Card>
void SearchService::fill_card(Card& out, const domain::Index& index, const domain::Document& doc, const std::string& currency) const {
    out.id = api::of<api::Id<"prd">>(doc.product_id);
    out.title = doc.title;
    out.slug = doc.slug;
    if (auto a = index.price(doc, currency)) out.price = api::Money{*a, currency};
    if (!doc.image_url.empty()) out.image = doc.image_url;
    if (auto* b = doc.brand_id.empty() ? nullptr : index.brand(doc.brand_id))
        out.brand = HitBrand{api::of<api::Id<"brd">>(b->id), b->name, b->slug};
    out.rating = Rating{doc.rating_average, doc.rating_count};
    out.in_stock = doc.in_stock;
}

}  // namespace shop::search
