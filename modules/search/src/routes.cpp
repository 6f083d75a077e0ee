// Thin HTTP handlers: the typed declarations of search's routes -> the service.
#include <boost/json.hpp>

#include "platform/api.hpp"
#include "platform/http.hpp"
#include "search_service.hpp"

namespace shop::search {
using namespace shop::http;

void register_search_routes(Router& router, SearchService& svc, std::string base_currency) {
    api::add<api::None, SearchQuery, SearchResult>(
        router,
        {.method = Method::get, .path = "/api/v1/search", .id = "searchProducts", .summary = "Product search with filters, sorts and facets",
         .description = "Every word must match (title or description), the last one as a prefix; a title word weighs ten times a "
                        "description word (bm25). When nothing matches as typed, mistyped words are corrected to indexed ones and "
                        "`suggestion` says how. Filters combine with AND: `category` and `brand` take ids or slugs separated by commas "
                        "(any of them; a category includes everything below it), `collection`, `min_price`/`max_price` (minor units "
                        "of `currency`), `in_stock`, `min_rating`. Each facet counts what the query and every other filter leave "
                        "(a chosen brand does not hide the other brands). A category, brand or collection that does not exist is 422 "
                        "naming the parameter.",
         .tag = "search"},
        [&svc, base_currency](Request&, api::None&, SearchQuery& q) {
            int offset = 0;
            if (q.cursor) {
                std::int64_t n = 0;
                if (!api::parse_int(q.cursor->value, n) || n < 0 || n > 1'000'000)
                    throw ErrorException(validation("cursor", "is not a cursor this API returned"));
                offset = static_cast<int>(n);
            }
            return svc.search(q, q.currency ? q.currency->value : base_currency, offset);
        });

    api::add<api::None, SuggestQuery, SuggestResult>(
        router,
        {.method = Method::get, .path = "/api/v1/search/suggest", .id = "suggestSearch", .summary = "Autocomplete: categories, brands and product titles",
         .description = "Names in which every word typed begins a word, categories first, then brands, then products, names that begin "
                        "with what was typed before the others. When nothing begins so, mistyped words are corrected and `suggestion` "
                        "holds the corrected words.",
         .tag = "search"},
        [&svc](Request&, api::None&, SuggestQuery& q) { return svc.suggest(q.q.value, q.limit ? static_cast<std::size_t>(q.limit->value) : 8); });

    api::add<api::None, RecommendationsQuery, RecommendationsResult>(
        router,
        {.method = Method::get, .path = "/api/v1/products/{id}/recommendations", .id = "recommendProducts",
         .summary = "Products bought together with this one, else from its category",
         .description = "First the published products most often in the same paid orders (`reason` bought_together, `orders` how "
                        "many), then, to fill `limit` (default 8), products of its category and the categories above it, best rated "
                        "first (`reason` same_category). `id` is the product's id or slug; a product that is not published is 404.",
         .tag = "search", .errors = {404}},
        [&svc, base_currency](Request& req, api::None&, RecommendationsQuery& q) {
            return unwrap(svc.recommendations(std::string(req.param("id")), q.currency ? q.currency->value : base_currency,
                                              q.limit ? static_cast<std::size_t>(q.limit->value) : 8));
        });
}

}  // namespace shop::search
