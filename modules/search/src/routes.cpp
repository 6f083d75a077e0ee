// Thin HTTP handlers for search, and its event subscriber.
#include <boost/json.hpp>

#include "catalog/events.hpp"
#include "platform/bus.hpp"
#include "platform/http.hpp"
#include "search_service.hpp"

namespace shop::search {
using namespace shop::http;

void register_search_routes(Router& router, SearchService& svc, std::string base_currency) {
    router.add({.method = Method::get, .pattern = "/api/v1/search", .access = Access::anyone, .summary = "Full-text product search (bm25), with facets", .tag = "search", .blocking = true},
               [&svc, base_currency](Request& req) {
                   auto q = req.query_param("q");
                   if (!q || q->empty()) throw ErrorException(validation("q", "is required"));
                   if (q->size() > 200) throw ErrorException(validation("q", "must be at most 200 characters"));
                   auto page = page_params(req);
                   int offset = 0;
                   if (!page.after.empty()) {
                       try {
                           offset = std::stoi(page.after);
                       } catch (...) {
                           throw ErrorException(validation("cursor", "is not a cursor this API returned"));
                       }
                   }
                   return Response::json(200, svc.search(*q, currency_param(req, base_currency), offset, page.limit));
               });
}

void subscribe_search_handlers(bus::Bus& bus, SearchService& svc) {
    namespace ce = catalog::events;
    bus.subscribe<ce::ProductChanged>("search.catalog_events", "search", "catalog",
                                      [&svc](db::Tx& tx, const ce::ProductChanged& e, const bus::EventMeta&) { svc.index(tx, e); });
}

}  // namespace shop::search
