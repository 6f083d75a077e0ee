// Event subscribers: ordering's verdicts on payments.
#include "ordering/events.hpp"
#include "payment_service.hpp"
#include "platform/bus.hpp"

namespace shop::payment {

void subscribe_payment_handlers(bus::Bus& bus, PaymentService& svc) {
    namespace oe = ordering::events;
    bus.subscribe<oe::PaymentRejected>("payment.order_events", "payment", "ordering",
                                       [&svc](db::Tx& tx, const oe::PaymentRejected& e, const bus::EventMeta&) {
                                           svc.refund_in(tx, e.payment_id, e.reason);
                                       });
    bus.subscribe<oe::OrderCancelled>("payment.order_events", "payment", "ordering",
                                      [&svc](db::Tx& tx, const oe::OrderCancelled& e, const bus::EventMeta&) {
                                          svc.refund_order_in(tx, e.order_id, "order " + e.reason);
                                      });
}

}  // namespace shop::payment
