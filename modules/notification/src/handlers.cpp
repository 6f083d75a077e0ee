// Event subscribers: which events mail whom.
#include <fmt/format.h>

#include "notification_service.hpp"
#include "identity/events.hpp"
#include "ordering/events.hpp"
#include "platform/bus.hpp"
#include "platform/money.hpp"

namespace shop::notification {

void subscribe_notification_handlers(bus::Bus& bus, NotificationService& svc, std::string shop_name, std::string public_url) {
    namespace oe = ordering::events;
    namespace ie = identity::events;
    bus.subscribe<ie::PasswordResetRequested>(
        "notification.identity_events", "notification", "identity",
        [&svc, shop_name, public_url](db::Tx& tx, const ie::PasswordResetRequested& e, const bus::EventMeta& meta) {
            svc.send_templated(tx, meta.id, "password_reset", e.email,
                               {{"name", e.name},
                                {"link", public_url + "/account/reset-password?token=" + e.token},
                                {"valid_minutes", std::to_string(e.valid_minutes)},
                                {"shop_name", shop_name}});
        });
    bus.subscribe<ie::EmailVerificationRequested>(
        "notification.identity_events", "notification", "identity",
        [&svc, shop_name, public_url](db::Tx& tx, const ie::EmailVerificationRequested& e, const bus::EventMeta& meta) {
            svc.send_templated(tx, meta.id, "email_verification", e.email,
                               {{"name", e.name}, {"link", public_url + "/account/verify-email?token=" + e.token}, {"shop_name", shop_name}});
        });
    bus.subscribe<ie::PasswordChanged>("notification.identity_events", "notification", "identity",
                                       [&svc, shop_name](db::Tx& tx, const ie::PasswordChanged& e, const bus::EventMeta& meta) {
                                           svc.send_templated(tx, meta.id, "password_changed", e.email,
                                                              {{"name", e.name}, {"shop_name", shop_name}});
                                       });
    bus.subscribe<oe::OrderConfirmed>(
        "notification.order_events", "notification", "ordering",
        [&svc, shop_name](db::Tx& tx, const oe::OrderConfirmed& e, const bus::EventMeta& meta) {
            std::string lines;
            for (auto& l : e.lines)
                lines += fmt::format("  {} x {} ({})  {}\n", l.quantity, l.title, l.sku, format_money({l.line_total, e.currency}));
            svc.send_templated(tx, meta.id, "order_confirmation", e.email,
                               {{"order_number", e.number},
                                {"order_id", e.order_id},
                                {"lines", lines},
                                {"subtotal", format_money({e.subtotal, e.currency})},
                                {"shipping", format_money({e.shipping, e.currency})},
                                {"tax", format_money({e.tax, e.currency})},
                                {"total", format_money({e.total, e.currency})},
                                {"shop_name", shop_name}});
        });
    bus.subscribe<oe::OrderCancelled>("notification.order_events", "notification", "ordering",
                                      [&svc, shop_name](db::Tx& tx, const oe::OrderCancelled& e, const bus::EventMeta& meta) {
                                          if (e.email.empty()) return;
                                          std::string reason = e.reason == "reservation_expired"     ? "it was not paid in time"
                                                               : e.reason == "cancelled_by_customer" ? "you cancelled it"
                                                               : e.reason == "cancelled_by_shop"     ? "the shop cancelled it"
                                                                                                     : e.reason;
                                          svc.send_templated(tx, meta.id, "order_cancelled", e.email,
                                                             {{"order_number", e.number}, {"reason", reason}, {"shop_name", shop_name}});
                                      });
    bus.subscribe<oe::OrderShipped>("notification.order_events", "notification", "ordering",
                                    [&svc, shop_name](db::Tx& tx, const oe::OrderShipped& e, const bus::EventMeta& meta) {
                                        if (e.email.empty()) return;
                                        std::string lines;
                                        for (auto& l : e.lines) lines += fmt::format("  {} x {} ({})\n", l.quantity, l.title, l.sku);
                                        svc.send_templated(tx, meta.id, "order_shipped", e.email,
                                                           {{"order_number", e.number},
                                                            {"carrier", e.carrier.empty() ? "not given" : e.carrier},
                                                            {"tracking_number", e.tracking_number.empty() ? "none" : e.tracking_number},
                                                            {"lines", lines},
                                                            {"remaining", e.complete ? "This completes your order."
                                                                                     : "The rest of your order follows in another parcel."},
                                                            {"shop_name", shop_name}});
                                    });
    bus.subscribe<oe::OrderRefunded>(
        "notification.order_events", "notification", "ordering",
        [&svc, shop_name](db::Tx& tx, const oe::OrderRefunded& e, const bus::EventMeta& meta) {
            // A cancelled order's refund is told by the cancellation mail.
            if (e.email.empty() || e.status == "cancelled") return;
            svc.send_templated(tx, meta.id, "order_refunded", e.email,
                               {{"order_number", e.number},
                                {"amount", format_money({e.amount, e.currency})},
                                {"total_refunded", format_money({e.total_refunded, e.currency})},
                                {"reason", e.reason},
                                {"shop_name", shop_name}});
        });
    bus.subscribe<oe::ReturnUpdated>(
        "notification.order_events", "notification", "ordering",
        [&svc, shop_name](db::Tx& tx, const oe::ReturnUpdated& e, const bus::EventMeta& meta) {
            if (e.email.empty()) return;
            std::string message = e.status == "requested"  ? fmt::format("we have your return request {} for order #{}.", e.return_id, e.number)
                                  : e.status == "approved" ? fmt::format("your return {} is approved: please send the items back.", e.return_id)
                                  : e.status == "rejected" ? fmt::format("we cannot accept your return {}.", e.return_id)
                                                           : fmt::format("we received your return {}; its refund is on its way.", e.return_id);
            svc.send_templated(tx, meta.id, "return_updated", e.email,
                               {{"order_number", e.number},
                                {"status", e.status},
                                {"message", message},
                                {"note", e.status == "requested" || e.note.empty() ? "" : "Note from the shop: " + e.note},
                                {"shop_name", shop_name}});
        });
    bus.subscribe<oe::OrderDelivered>(
        "notification.order_events", "notification", "ordering",
        [&svc, shop_name](db::Tx& tx, const oe::OrderDelivered& e, const bus::EventMeta& meta) {
            if (e.email.empty()) return;
            std::string message = e.complete ? fmt::format("your order #{} has been delivered. We hope you enjoy it.", e.number)
                                             : fmt::format("a parcel of your order #{} has been delivered; the rest is still on its way.", e.number);
            svc.send_templated(tx, meta.id, "order_delivered", e.email, {{"order_number", e.number}, {"message", message}, {"shop_name", shop_name}});
        });
}

}  // namespace shop::notification
