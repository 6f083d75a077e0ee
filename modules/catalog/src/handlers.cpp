// Event subscribers: what the catalog learns from ordering's events.
#include "catalog_service.hpp"
#include "ordering/events.hpp"
#include "platform/bus.hpp"

namespace shop::catalog {

void subscribe_catalog_handlers(bus::Bus& bus, CatalogService& svc) {
    namespace oe = ordering::events;
    // A product an order names is archived, never removed, by DELETE.
    bus.subscribe<oe::OrderPlaced>("catalog.order_events", "catalog", "ordering",
                                   [&svc](db::Tx& tx, const oe::OrderPlaced& e, const bus::EventMeta&) {
                                       for (auto& line : e.lines) svc.record_ordered(tx, line.product_id, e.order_id);
                                   });
    // A confirmed order makes its customer's reviews of its products verified; a cancelled one no longer does.
    bus.subscribe<oe::OrderConfirmed>("catalog.order_events", "catalog", "ordering",
                                      [&svc](db::Tx& tx, const oe::OrderConfirmed& e, const bus::EventMeta&) {
                                          for (auto& line : e.lines) svc.reviews().record_purchase(tx, e.order_id, e.customer_id, line.product_id);
                                      });
    bus.subscribe<oe::OrderCancelled>("catalog.order_events", "catalog", "ordering",
                                      [&svc](db::Tx& tx, const oe::OrderCancelled& e, const bus::EventMeta&) {
                                          svc.reviews().forget_purchases(tx, e.order_id);
                                      });
}

}  // namespace shop::catalog
