// Event subscribers: the checkout saga's steps that follow payment and inventory.
#include "inventory/events.hpp"
#include "ordering_service.hpp"
#include "payment/events.hpp"
#include "platform/bus.hpp"

namespace shop::ordering {

void subscribe_ordering_handlers(bus::Bus& bus, OrderingService& svc) {
    namespace pe = payment::events;
    namespace ie = inventory::events;
    bus.subscribe<pe::PaymentAuthorized>("ordering.payment_events", "ordering", "payment",
                                         [&svc](db::Tx& tx, const pe::PaymentAuthorized& e, const bus::EventMeta& meta) {
                                             svc.record_payment_fact(tx, e.order_id, e.payment_id, "authorized", e.amount, e.currency,
                                                                     e.captured ? "authorized and captured" : "authorized", meta.created_at);
                                             svc.on_payment_authorized(tx, e.order_id, e.payment_id);
                                         });
    bus.subscribe<pe::PaymentFailed>("ordering.payment_events", "ordering", "payment",
                                     [&svc](db::Tx& tx, const pe::PaymentFailed& e, const bus::EventMeta& meta) {
                                         svc.record_payment_fact(tx, e.order_id, e.payment_id, "failed", 0, "", e.failure_code, meta.created_at);
                                         svc.on_payment_failed(tx, e.order_id, e.failure_code);
                                     });
    bus.subscribe<pe::PaymentRefunded>("ordering.payment_events", "ordering", "payment",
                                       [&svc](db::Tx& tx, const pe::PaymentRefunded& e, const bus::EventMeta& meta) {
                                           svc.record_payment_fact(tx, e.order_id, e.payment_id, "refunded", e.amount, e.currency, e.refund_id,
                                                                   meta.created_at);
                                       });
    bus.subscribe<ie::ReservationExpired>("ordering.inventory_events", "ordering", "inventory",
                                          [&svc](db::Tx& tx, const ie::ReservationExpired& e, const bus::EventMeta&) {
                                              svc.on_reservation_expired(tx, e.reference);
                                          });
}

}  // namespace shop::ordering
