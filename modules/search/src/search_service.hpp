#pragma once

#include <memory>

#include "catalog/events.hpp"
#include "full_text.hpp"
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
    /// Rebuilds missing lookup data of the full-text index (see FullText::repair).
    void start();

    /// Hits for `q` ranked by relevance (title weighs 10x the description), with total and price
    /// facets. When nothing matches as typed, words no document has are corrected to the nearest
    /// indexed term (domain::correction); hits of the corrected query come with it as `suggestion`.
    SearchResult search(const std::string& q, const std::string& currency, int offset, int limit);
    /// Upserts the product's document; only published products are searchable. Ignores stale events.
    void index(db::Tx& tx, const catalog::events::ProductChanged& e);

private:
    db::Database& db_;
    Logger& log_;
    std::unique_ptr<FullText> full_text_;
};

}  // namespace shop::search
