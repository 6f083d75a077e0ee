// Thin HTTP handlers: the typed declaration of search's route -> the service.
#include <boost/json.hpp>

#include "platform/api.hpp"
#include "platform/http.hpp"
#include "search_service.hpp"

namespace shop::search {
using namespace shop::http;

void register_search_routes(Router& router, SearchService& svc, std::string base_currency) {
    api::add<api::None, SearchQuery, SearchResult>(
        router,
        {.method = Method::get, .path = "/api/v1/search", .id = "searchProducts", .summary = "Full-text product search (bm25), with facets",
         .description = "Words match as prefixes; every word must match.", .tag = "search", .blocking = true},
        [&svc, base_currency](Request&, api::None&, SearchQuery& q) {
            int offset = 0;
            if (q.cursor) {
                std::int64_t n = 0;
                if (!api::parse_int(q.cursor->value, n) || n < 0 || n > 1'000'000)
                    throw ErrorException(validation("cursor", "is not a cursor this API returned"));
                offset = static_cast<int>(n);
            }
            return svc.search(q.q.value, q.currency ? q.currency->value : base_currency, offset, q.limit ? static_cast<int>(q.limit->value) : 20);
        });
}

}  // namespace shop::search
