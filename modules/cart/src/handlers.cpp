// Event subscribers: a placed order closes its cart.
#include "cart_service.hpp"
#include "ordering/events.hpp"
#include "platform/bus.hpp"

namespace shop::cart {

void subscribe_cart_handlers(bus::Bus& bus, CartService& svc) {
    namespace oe = ordering::events;
    bus.subscribe<oe::OrderPlaced>("cart.order_events", "cart", "ordering",
                                   [&svc](db::Tx& tx, const oe::OrderPlaced& e, const bus::EventMeta&) {
                                       svc.mark_converted(tx, e.cart_id, e.order_id);
                                   });
}

}  // namespace shop::cart
