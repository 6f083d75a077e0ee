// Event subscribers: each event of the kinds table (domain/kinds.cpp) queues its message for its
// recipients, with the values its templates use.
#include <fmt/format.h>

#include "identity/events.hpp"
#include "inventory/events.hpp"
#include "notification_service.hpp"
#include "ordering/events.hpp"
#include "platform/bus.hpp"
#include "platform/crypto.hpp"
#include "platform/money.hpp"
#include "webhook_events.hpp"
#include "webhook_service.hpp"

namespace shop::notification {

namespace {

struct Settings {
    std::string shop_name;
    std::string public_url;
    std::vector<std::string> admin_recipients;
};

domain::Values values(const Settings& s, std::map<std::string, std::string, std::less<>> vars) {
    vars.emplace("shop_name", s.shop_name);
    return domain::Values{std::move(vars), {}};
}

template <class Line>
std::vector<std::map<std::string, std::string, std::less<>>> order_lines(const std::vector<Line>& lines, const std::string& currency) {
    std::vector<std::map<std::string, std::string, std::less<>>> out;
    for (auto& l : lines)
        out.push_back({{"quantity", std::to_string(l.quantity)}, {"title", l.title}, {"sku", l.sku}, {"line_total", format_money({l.line_total, currency})}});
    return out;
}

template <class Event>
domain::Values order_values(const Settings& s, const Event& e) {
    auto v = values(s, {{"order_number", e.number},
                        {"order_id", e.order_id},
                        {"subtotal", format_money({e.subtotal, e.currency})},
                        {"shipping", format_money({e.shipping, e.currency})},
                        {"tax", format_money({e.tax, e.currency})},
                        {"total", format_money({e.total, e.currency})}});
    v.lists["lines"] = order_lines(e.lines, e.currency);
    return v;
}

}  // namespace

void subscribe_notification_handlers(bus::Bus& bus, NotificationService& svc, std::string shop_name, std::string public_url,
                                     std::vector<std::string> admin_recipients) {
    namespace oe = ordering::events;
    namespace ie = identity::events;
    namespace ve = inventory::events;
    auto s = std::make_shared<const Settings>(Settings{std::move(shop_name), std::move(public_url), std::move(admin_recipients)});
    bus.subscribe<ie::UserRegistered>("notification.identity_events", "notification", "identity",
                                      [&svc, s](db::Tx& tx, const ie::UserRegistered& e, const bus::EventMeta& meta) {
                                          svc.send_templated(tx, meta.id, "welcome", e.email,
                                                             values(*s, {{"name", e.name}, {"link", s->public_url + "/account"}}));
                                      });
    bus.subscribe<ie::PasswordResetRequested>(
        "notification.identity_events", "notification", "identity",
        [&svc, s](db::Tx& tx, const ie::PasswordResetRequested& e, const bus::EventMeta& meta) {
            svc.send_templated(tx, meta.id, "password_reset", e.email,
                               values(*s, {{"name", e.name},
                                           {"link", s->public_url + "/account/reset-password?token=" + e.token},
                                           {"valid_minutes", std::to_string(e.valid_minutes)}}));
        });
    bus.subscribe<ie::EmailVerificationRequested>(
        "notification.identity_events", "notification", "identity",
        [&svc, s](db::Tx& tx, const ie::EmailVerificationRequested& e, const bus::EventMeta& meta) {
            svc.send_templated(tx, meta.id, "email_verification", e.email,
                               values(*s, {{"name", e.name}, {"link", s->public_url + "/account/verify-email?token=" + e.token}}));
        });
    bus.subscribe<ie::PasswordChanged>("notification.identity_events", "notification", "identity",
                                       [&svc, s](db::Tx& tx, const ie::PasswordChanged& e, const bus::EventMeta& meta) {
                                           svc.send_templated(tx, meta.id, "password_changed", e.email, values(*s, {{"name", e.name}}));
                                       });
    bus.subscribe<oe::OrderPlaced>("notification.order_events", "notification", "ordering",
                                   [&svc, s](db::Tx& tx, const oe::OrderPlaced& e, const bus::EventMeta& meta) {
                                       if (e.email.empty()) return;
                                       svc.send_templated(tx, meta.id, "order_placed", e.email, order_values(*s, e));
                                   });
    bus.subscribe<oe::OrderConfirmed>("notification.order_events", "notification", "ordering",
                                      [&svc, s](db::Tx& tx, const oe::OrderConfirmed& e, const bus::EventMeta& meta) {
                                          svc.send_templated(tx, meta.id, "order_confirmation", e.email, order_values(*s, e));
                                      });
    bus.subscribe<oe::OrderCancelled>("notification.order_events", "notification", "ordering",
                                      [&svc, s](db::Tx& tx, const oe::OrderCancelled& e, const bus::EventMeta& meta) {
                                          if (e.email.empty()) return;
                                          std::string reason = e.reason == "reservation_expired"     ? "it was not paid in time"
                                                               : e.reason == "cancelled_by_customer" ? "you cancelled it"
                                                               : e.reason == "cancelled_by_shop"     ? "the shop cancelled it"
                                                                                                     : e.reason;
                                          svc.send_templated(tx, meta.id, "order_cancelled", e.email,
                                                             values(*s, {{"order_number", e.number}, {"reason", reason}}));
                                      });
    bus.subscribe<oe::OrderShipped>(
        "notification.order_events", "notification", "ordering", [&svc, s](db::Tx& tx, const oe::OrderShipped& e, const bus::EventMeta& meta) {
            if (e.email.empty()) return;
            auto v = values(*s, {{"order_number", e.number},
                                 {"carrier", e.carrier.empty() ? "not given" : e.carrier},
                                 {"tracking_number", e.tracking_number.empty() ? "none" : e.tracking_number},
                                 {"remaining", e.complete ? "This completes your order." : "The rest of your order follows in another parcel."}});
            for (auto& l : e.lines) v.lists["lines"].push_back({{"quantity", std::to_string(l.quantity)}, {"title", l.title}, {"sku", l.sku}});
            svc.send_templated(tx, meta.id, "order_shipped", e.email, v);
        });
    bus.subscribe<oe::OrderRefunded>("notification.order_events", "notification", "ordering",
                                     [&svc, s](db::Tx& tx, const oe::OrderRefunded& e, const bus::EventMeta& meta) {
                                         // A cancelled order's refund is told by the cancellation mail.
                                         if (e.email.empty() || e.status == "cancelled") return;
                                         svc.send_templated(tx, meta.id, "order_refunded", e.email,
                                                            values(*s, {{"order_number", e.number},
                                                                        {"amount", format_money({e.amount, e.currency})},
                                                                        {"total_refunded", format_money({e.total_refunded, e.currency})},
                                                                        {"reason", e.reason}}));
                                     });
    bus.subscribe<oe::ReturnUpdated>(
        "notification.order_events", "notification", "ordering", [&svc, s](db::Tx& tx, const oe::ReturnUpdated& e, const bus::EventMeta& meta) {
            if (e.email.empty()) return;
            std::string message = e.status == "requested"  ? fmt::format("we have your return request {} for order #{}.", e.return_id, e.number)
                                  : e.status == "approved" ? fmt::format("your return {} is approved: please send the items back.", e.return_id)
                                  : e.status == "rejected" ? fmt::format("we cannot accept your return {}.", e.return_id)
                                                           : fmt::format("we received your return {}; its refund is on its way.", e.return_id);
            svc.send_templated(tx, meta.id, "return_updated", e.email,
                               values(*s, {{"order_number", e.number},
                                           {"status", e.status},
                                           {"message", message},
                                           {"note", e.status == "requested" || e.note.empty() ? "" : "Note from the shop: " + e.note}}));
        });
    bus.subscribe<oe::OrderDelivered>(
        "notification.order_events", "notification", "ordering", [&svc, s](db::Tx& tx, const oe::OrderDelivered& e, const bus::EventMeta& meta) {
            if (e.email.empty()) return;
            std::string message = e.complete ? fmt::format("your order #{} has been delivered. We hope you enjoy it.", e.number)
                                             : fmt::format("a parcel of your order #{} has been delivered; the rest is still on its way.", e.number);
            svc.send_templated(tx, meta.id, "order_delivered", e.email, values(*s, {{"order_number", e.number}, {"message", message}}));
        });
    bus.subscribe<ve::LowStock>("notification.inventory_events", "notification", "inventory",
                                [&svc, s](db::Tx& tx, const ve::LowStock& e, const bus::EventMeta& meta) {
                                    auto v = values(*s, {{"sku", e.sku},
                                                         {"warehouse", e.warehouse},
                                                         {"on_hand", std::to_string(e.on_hand)},
                                                         {"available", std::to_string(e.available)},
                                                         {"threshold", std::to_string(e.low_stock_threshold)}});
                                    // One message per admin, each under its own stable name.
                                    for (auto& to : s->admin_recipients)
                                        svc.send_templated(tx, meta.id + "-" + crypto::sha256_hex(to).substr(0, 12), "low_stock", to, v);
                                });
}

// Webhooks take every event the shop publishes: one consumer per publishing schema (the bus
// delivers a source's events to a consumer in order, and a transaction touches one schema: this
// consumer's effect and its handled ids are in notification), with a raw handler for each type of
// that source, so the payload is forwarded as published, without decoding it into a struct.
void subscribe_webhook_handlers(bus::Bus& bus, WebhookService& webhooks) {
    for (const PublishedEvent& e : published_events())
        bus.subscribe_raw("notification.webhooks." + std::string(e.source), "notification", std::string(e.source), std::string(e.type),
                          [&webhooks](db::Tx& tx, const boost::json::value& data, const bus::EventMeta& meta) { webhooks.enqueue(tx, data, meta); });
}

}  // namespace shop::notification
