// Event subscribers: the checkout saga's steps that follow payment and inventory, and the sales
// report kept from ordering's own events.
#include <fmt/format.h>

#include "inventory/events.hpp"
#include "ordering_service.hpp"
#include "payment/events.hpp"
#include "platform/bus.hpp"

namespace shop::ordering {

namespace {
std::string day_of(const bus::EventMeta& meta) { return (meta.created_at.empty() ? now_iso8601() : meta.created_at).substr(0, 10); }
}  // namespace

void subscribe_ordering_handlers(bus::Bus& bus, OrderingService& svc) {
    namespace pe = payment::events;
    namespace ie = inventory::events;
    bus.subscribe<pe::PaymentAuthorized>("ordering.payment_events", "ordering", "payment",
                                         [&svc](db::Tx& tx, const pe::PaymentAuthorized& e, const bus::EventMeta& meta) {
                                             svc.record_payment_fact(tx, e.order_id, e.payment_id, "authorized", e.amount, e.currency,
                                                                     e.captured ? "authorized and captured" : "authorized", meta.created_at);
                                             if (e.captured)
                                                 svc.record_payment_fact(tx, e.order_id, e.payment_id, "captured", e.amount, e.currency,
                                                                         "captured with the authorization", meta.created_at);
                                             svc.on_payment_authorized(tx, e.order_id, e.payment_id);
                                         });
    bus.subscribe<pe::PaymentCaptured>("ordering.payment_events", "ordering", "payment",
                                       [&svc](db::Tx& tx, const pe::PaymentCaptured& e, const bus::EventMeta& meta) {
                                           svc.record_payment_fact(tx, e.order_id, e.payment_id, "captured", e.amount, e.currency,
                                                                   e.released > 0 ? fmt::format("{} released", e.released) : "captured",
                                                                   meta.created_at);
                                           svc.on_payment_captured(tx, e.order_id, e.payment_id);
                                       });
    bus.subscribe<pe::PaymentVoided>("ordering.payment_events", "ordering", "payment",
                                     [&svc](db::Tx& tx, const pe::PaymentVoided& e, const bus::EventMeta& meta) {
                                         svc.record_payment_fact(tx, e.order_id, e.payment_id, "voided", e.amount, e.currency, e.reason,
                                                                 meta.created_at);
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
                                           svc.on_payment_refunded(tx, e.order_id, e.refund_id, e.amount, e.currency, e.reason);
                                       });
    bus.subscribe<pe::RefundFailed>("ordering.payment_events", "ordering", "payment",
                                    [&svc](db::Tx& tx, const pe::RefundFailed& e, const bus::EventMeta&) {
                                        svc.on_refund_failed(tx, e.refund_id, e.failure_code);
                                    });
    bus.subscribe<ie::ReservationExpired>("ordering.inventory_events", "ordering", "inventory",
                                          [&svc](db::Tx& tx, const ie::ReservationExpired& e, const bus::EventMeta&) {
                                              svc.on_reservation_expired(tx, e.reference);
                                          });

    bus.subscribe<events::OrderConfirmed>("ordering.sales_report", "ordering", "ordering",
                                          [&svc](db::Tx& tx, const events::OrderConfirmed& e, const bus::EventMeta& meta) {
                                              svc.count_sale(tx, day_of(meta), e);
                                          });
    bus.subscribe<events::OrderRefunded>("ordering.sales_report", "ordering", "ordering",
                                         [&svc](db::Tx& tx, const events::OrderRefunded& e, const bus::EventMeta& meta) {
                                             svc.count_refund_in_sales(tx, day_of(meta), e.currency, e.amount);
                                         });
}

}  // namespace shop::ordering
