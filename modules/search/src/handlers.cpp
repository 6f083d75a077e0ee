// Event subscribers: the index follows the catalog.
#include "catalog/events.hpp"
#include "platform/bus.hpp"
#include "search_service.hpp"

namespace shop::search {

void subscribe_search_handlers(bus::Bus& bus, SearchService& svc) {
    namespace ce = catalog::events;
    bus.subscribe<ce::ProductChanged>("search.catalog_events", "search", "catalog",
                                      [&svc](db::Tx& tx, const ce::ProductChanged& e, const bus::EventMeta&) { svc.index(tx, e); });
}

}  // namespace shop::search
