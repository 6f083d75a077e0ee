// Event subscribers: ordering's decisions move stock.
#include "inventory_service.hpp"
#include "ordering/events.hpp"
#include "platform/bus.hpp"

namespace shop::inventory {

void subscribe_inventory_handlers(bus::Bus& bus, InventoryService& svc) {
    namespace oe = ordering::events;
    bus.subscribe<oe::OrderConfirmed>("inventory.order_events", "inventory", "ordering",
                                      [&svc](db::Tx& tx, const oe::OrderConfirmed& e, const bus::EventMeta&) {
                                          std::vector<ReserveLine> lines;
                                          for (auto& l : e.lines) lines.push_back({l.sku, l.quantity});
                                          svc.commit_in(tx, e.order_id, lines);
                                      });
    bus.subscribe<oe::OrderCancelled>("inventory.order_events", "inventory", "ordering",
                                      [&svc](db::Tx& tx, const oe::OrderCancelled& e, const bus::EventMeta&) {
                                          svc.cancel_in(tx, e.order_id);
                                      });
    bus.subscribe<oe::ItemsRestocked>("inventory.order_events", "inventory", "ordering",
                                      [&svc](db::Tx& tx, const oe::ItemsRestocked& e, const bus::EventMeta&) {
                                          std::vector<ReserveLine> lines;
                                          for (auto& l : e.lines) lines.push_back({l.sku, l.quantity});
                                          svc.restock_in(tx, e.order_id, lines);
                                      });
}

}  // namespace shop::inventory
