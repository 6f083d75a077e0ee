// Event subscribers: each event of the kinds table (domain/kinds.cpp) queues its message for its
// recipients, with the values its templates use.
#include <fmt/format.h>

#include "catalog/events.hpp"
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

std::string order_link(const std::string& order_id) { return "/#/order/" + order_id; }

/// The account an order belongs to (known from its order_placed) and the address the event gives.
Recipient customer(NotificationService& svc, db::Tx& tx, const std::string& order_id, const std::string& email) {
    return {svc.inbox().customer_of_order(tx, order_id), email};
}

}  // namespace

void subscribe_notification_handlers(bus::Bus& bus, NotificationService& svc, std::string shop_name, std::string public_url,
                                     std::vector<std::string> admin_recipients) {
    namespace oe = ordering::events;
    namespace ie = identity::events;
    namespace ve = inventory::events;
    namespace ce = catalog::events;
    auto s = std::make_shared<const Settings>(Settings{std::move(shop_name), std::move(public_url), std::move(admin_recipients)});
    bus.subscribe<ie::UserRegistered>("notification.identity_events", "notification", "identity",
                                      [&svc, s](db::Tx& tx, const ie::UserRegistered& e, const bus::EventMeta& meta) {
                                          svc.inbox().remember_user(tx, e.user_id, e.email, e.name);
                                          svc.notify(tx, meta.id, "welcome", {e.user_id, e.email},
                                                     values(*s, {{"name", e.name}, {"link", s->public_url + "/#/account"}}), "/#/account");
                                      });
    bus.subscribe<ie::PasswordResetRequested>(
        "notification.identity_events", "notification", "identity",
        [&svc, s](db::Tx& tx, const ie::PasswordResetRequested& e, const bus::EventMeta& meta) {
            svc.inbox().remember_user(tx, e.user_id, e.email, e.name);
            svc.send_templated(tx, meta.id, "password_reset", e.email,
                               values(*s, {{"name", e.name},
                                           {"link", s->public_url + "/account/reset-password?token=" + e.token},
                                           {"valid_minutes", std::to_string(e.valid_minutes)}}));
        });
    bus.subscribe<ie::EmailVerificationRequested>(
        "notification.identity_events", "notification", "identity",
        [&svc, s](db::Tx& tx, const ie::EmailVerificationRequested& e, const bus::EventMeta& meta) {
            svc.inbox().remember_user(tx, e.user_id, e.email, e.name);
            svc.send_templated(tx, meta.id, "email_verification", e.email,
                               values(*s, {{"name", e.name}, {"link", s->public_url + "/account/verify-email?token=" + e.token}}));
        });
    bus.subscribe<ie::ProfileChanged>("notification.identity_events", "notification", "identity",
                                      [&svc](db::Tx& tx, const ie::ProfileChanged& e, const bus::EventMeta&) {
                                          svc.inbox().remember_profile(tx, e.user_id, e.email, e.name, e.locale, e.marketing_consent);
                                      });
    bus.subscribe<ie::PasswordChanged>("notification.identity_events", "notification", "identity",
                                       [&svc, s](db::Tx& tx, const ie::PasswordChanged& e, const bus::EventMeta& meta) {
                                           svc.inbox().remember_user(tx, e.user_id, e.email, e.name);
                                           svc.notify(tx, meta.id, "password_changed", {e.user_id, e.email}, values(*s, {{"name", e.name}}),
                                                      "/#/account?tab=security");
                                       });
    bus.subscribe<oe::OrderPlaced>("notification.order_events", "notification", "ordering",
                                   [&svc, s](db::Tx& tx, const oe::OrderPlaced& e, const bus::EventMeta& meta) {
                                       svc.inbox().remember_order(tx, e.order_id, e.customer_id);
                                       svc.notify(tx, meta.id, "order_placed", {e.customer_id, e.email}, order_values(*s, e), order_link(e.order_id));
                                   });
    bus.subscribe<oe::OrderConfirmed>("notification.order_events", "notification", "ordering",
                                      [&svc, s](db::Tx& tx, const oe::OrderConfirmed& e, const bus::EventMeta& meta) {
                                          svc.notify(tx, meta.id, "order_confirmation", {e.customer_id, e.email}, order_values(*s, e),
                                                     order_link(e.order_id));
                                      });
    bus.subscribe<oe::OrderCancelled>("notification.order_events", "notification", "ordering",
                                      [&svc, s](db::Tx& tx, const oe::OrderCancelled& e, const bus::EventMeta& meta) {
                                          std::string reason = e.reason == "reservation_expired"     ? "it was not paid in time"
                                                               : e.reason == "cancelled_by_customer" ? "you cancelled it"
                                                               : e.reason == "cancelled_by_shop"     ? "the shop cancelled it"
                                                                                                     : e.reason;
                                          svc.notify(tx, meta.id, "order_cancelled", customer(svc, tx, e.order_id, e.email),
                                                     values(*s, {{"order_number", e.number}, {"reason", reason}}), order_link(e.order_id));
                                      });
    bus.subscribe<oe::OrderShipped>(
        "notification.order_events", "notification", "ordering", [&svc, s](db::Tx& tx, const oe::OrderShipped& e, const bus::EventMeta& meta) {
            auto v = values(*s, {{"order_number", e.number},
                                 {"carrier", e.carrier.empty() ? "not given" : e.carrier},
                                 {"tracking_number", e.tracking_number.empty() ? "none" : e.tracking_number},
                                 {"remaining", e.complete ? "This completes your order." : "The rest of your order follows in another parcel."}});
            for (auto& l : e.lines) v.lists["lines"].push_back({{"quantity", std::to_string(l.quantity)}, {"title", l.title}, {"sku", l.sku}});
            svc.notify(tx, meta.id, "order_shipped", customer(svc, tx, e.order_id, e.email), v, order_link(e.order_id));
        });
    bus.subscribe<oe::OrderRefunded>("notification.order_events", "notification", "ordering",
                                     [&svc, s](db::Tx& tx, const oe::OrderRefunded& e, const bus::EventMeta& meta) {
                                         // A cancelled order's refund is told by the cancellation mail.
                                         if (e.status == "cancelled") return;
                                         svc.notify(tx, meta.id, "order_refunded", customer(svc, tx, e.order_id, e.email),
                                                            values(*s, {{"order_number", e.number},
                                                                        {"amount", format_money({e.amount, e.currency})},
                                                                        {"total_refunded", format_money({e.total_refunded, e.currency})},
                                                                        {"reason", e.reason}}),
                                                    order_link(e.order_id));
                                     });
    bus.subscribe<oe::ReturnUpdated>(
        "notification.order_events", "notification", "ordering", [&svc, s](db::Tx& tx, const oe::ReturnUpdated& e, const bus::EventMeta& meta) {
            std::string message = e.status == "requested"  ? fmt::format("we have your return request {} for order #{}.", e.return_id, e.number)
                                  : e.status == "approved" ? fmt::format("your return {} is approved: please send the items back.", e.return_id)
                                  : e.status == "rejected" ? fmt::format("we cannot accept your return {}.", e.return_id)
                                                           : fmt::format("we received your return {}; its refund is on its way.", e.return_id);
            svc.notify(tx, meta.id, "return_updated", customer(svc, tx, e.order_id, e.email),
                       values(*s, {{"order_number", e.number},
                                   {"status", e.status},
                                   {"message", message},
                                   {"note", e.status == "requested" || e.note.empty() ? "" : "Note from the shop: " + e.note}}),
                       order_link(e.order_id));
        });
    bus.subscribe<oe::OrderDelivered>(
        "notification.order_events", "notification", "ordering", [&svc, s](db::Tx& tx, const oe::OrderDelivered& e, const bus::EventMeta& meta) {
            std::string message = e.complete ? fmt::format("your order #{} has been delivered. We hope you enjoy it.", e.number)
                                             : fmt::format("a parcel of your order #{} has been delivered; the rest is still on its way.", e.number);
            svc.notify(tx, meta.id, "order_delivered", customer(svc, tx, e.order_id, e.email),
                       values(*s, {{"order_number", e.number}, {"message", message}}), order_link(e.order_id));
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
                                        svc.notify(tx, meta.id + "-" + crypto::sha256_hex(to).substr(0, 12), "low_stock", {"", to}, v);
                                });
    bus.subscribe<ce::ReviewModerated>("notification.catalog_events", "notification", "catalog",
                                       [&svc, s](db::Tx& tx, const ce::ReviewModerated& e, const bus::EventMeta& meta) {
                                           if (e.status != "approved" || e.customer_id.empty()) return;
                                           auto& inbox = svc.inbox();
                                           std::string link = "/#/p/" + e.product_slug;
                                           svc.notify(tx, meta.id, "review_approved", {e.customer_id, inbox.email_of(tx, e.customer_id)},
                                                      values(*s, {{"name", inbox.name_of(tx, e.customer_id)},
                                                                  {"product_title", e.product_title},
                                                                  {"rating", std::to_string(e.rating)},
                                                                  {"link", s->public_url + link}}),
                                                      link);
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
