// Event subscribers: ordering's verdicts on payments and its refund requests; payment's own
// events kept as the payments report.
#include "ordering/events.hpp"
#include "payment/events.hpp"
#include "payment_service.hpp"
#include "platform/bus.hpp"

namespace shop::payment {

void subscribe_payment_handlers(bus::Bus& bus, PaymentService& svc) {
    namespace oe = ordering::events;
    bus.subscribe<oe::PaymentRejected>("payment.order_events", "payment", "ordering",
                                       [&svc](db::Tx& tx, const oe::PaymentRejected& e, const bus::EventMeta&) {
                                           svc.release_in(tx, e.payment_id, e.reason);
                                       });
    bus.subscribe<oe::OrderCancelled>("payment.order_events", "payment", "ordering",
                                      [&svc](db::Tx& tx, const oe::OrderCancelled& e, const bus::EventMeta&) {
                                          svc.release_order_in(tx, e.order_id, "order " + e.reason);
                                      });
    bus.subscribe<oe::RefundRequested>("payment.order_events", "payment", "ordering",
                                       [&svc](db::Tx& tx, const oe::RefundRequested& e, const bus::EventMeta&) {
                                           svc.request_refund_in(tx, e.refund_id, e.order_id, e.amount, e.reason);
                                       });

    namespace pe = events;
    bus.subscribe<pe::PaymentAuthorized>("payment.report", "payment", "payment",
                                         [&svc](db::Tx& tx, const pe::PaymentAuthorized& e, const bus::EventMeta& m) {
                                             svc.count_in_report(tx, m, e.payment_id, 1, 1, 0, e.amount, e.captured ? e.amount : 0, 0, 0);
                                         });
    bus.subscribe<pe::PaymentFailed>("payment.report", "payment", "payment",
                                     [&svc](db::Tx& tx, const pe::PaymentFailed& e, const bus::EventMeta& m) {
                                         svc.count_in_report(tx, m, e.payment_id, 1, 0, 1, 0, 0, 0, 0);
                                     });
    bus.subscribe<pe::PaymentCaptured>("payment.report", "payment", "payment",
                                       [&svc](db::Tx& tx, const pe::PaymentCaptured& e, const bus::EventMeta& m) {
                                           svc.count_in_report(tx, m, e.payment_id, 0, 0, 0, 0, e.amount, 0, 0);
                                       });
    bus.subscribe<pe::PaymentRefunded>("payment.report", "payment", "payment",
                                       [&svc](db::Tx& tx, const pe::PaymentRefunded& e, const bus::EventMeta& m) {
                                           svc.count_in_report(tx, m, e.payment_id, 0, 0, 0, 0, 0, 1, e.amount);
                                       });
}

}  // namespace shop::payment
