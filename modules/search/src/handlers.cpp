// Event subscribers: the index follows the catalog's products, categories, brands and collections
// and inventory's stock status; "bought together" counts follow ordering's paid orders.
#include "catalog/events.hpp"
#include "inventory/events.hpp"
#include "ordering/events.hpp"
#include "platform/bus.hpp"
#include "search_service.hpp"

namespace shop::search {

void subscribe_search_handlers(bus::Bus& bus, SearchService& svc) {
    namespace ce = catalog::events;
    namespace ie = inventory::events;
    bus.subscribe<ce::ProductChanged>("search.catalog_events", "search", "catalog",
                                      [&svc](db::Tx& tx, const ce::ProductChanged& e, const bus::EventMeta&) { svc.index(tx, e); });
    bus.subscribe<ce::CategoryChanged>("search.catalog_events", "search", "catalog",
                                       [&svc](db::Tx& tx, const ce::CategoryChanged& e, const bus::EventMeta&) { svc.category_changed(tx, e); });
    bus.subscribe<ce::BrandChanged>("search.catalog_events", "search", "catalog",
                                    [&svc](db::Tx& tx, const ce::BrandChanged& e, const bus::EventMeta&) { svc.brand_changed(tx, e); });
    bus.subscribe<ce::CollectionChanged>(
        "search.catalog_events", "search", "catalog",
        [&svc](db::Tx& tx, const ce::CollectionChanged& e, const bus::EventMeta&) { svc.collection_changed(tx, e); });
    bus.subscribe<ie::StockStatusChanged>("search.inventory_events", "search", "inventory",
                                          [&svc](db::Tx& tx, const ie::StockStatusChanged& e, const bus::EventMeta&) { svc.stock_changed(tx, e); });
    bus.subscribe<ordering::events::OrderConfirmed>(
        "search.order_events", "search", "ordering",
        [&svc](db::Tx& tx, const ordering::events::OrderConfirmed& e, const bus::EventMeta&) { svc.order_confirmed(tx, e); });
}

}  // namespace shop::search
