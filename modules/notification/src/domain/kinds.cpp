#include "domain/kinds.hpp"

#include <map>

namespace shop::notification::domain {

namespace {

using Samples = std::map<std::string, std::string, std::less<>>;

const Samples kCommon{{"shop_name", "Shop"},
                      {"name", "Ada Lovelace"},
                      {"order_number", "1042"},
                      {"order_id", "ord_01HQ7ZK3V4"},
                      {"lines.quantity", "2"},
                      {"lines.title", "Organic cotton tee"},
                      {"lines.sku", "TEE-M"},
                      {"lines.line_total", "USD 39.98"},
                      {"subtotal", "USD 39.98"},
                      {"shipping", "USD 5.00"},
                      {"tax", "USD 0.00"},
                      {"total", "USD 44.98"}};

Kind kind(std::string key, std::string event, std::string recipient, std::string category, bool transactional, Schema schema, Samples extra,
          std::string subject, std::string body) {
    Samples samples = kCommon;
    for (auto& [k, v] : extra) samples[k] = v;
    return Kind{std::move(key),    std::move(event),  std::move(recipient),
                std::move(category), transactional,   std::move(schema),
                std::move(samples), {BuiltinTemplate{"email", "en", std::move(subject), std::move(body)}}};
}

/// The kind sent on `channel` too, with its built-in template there.
Kind also(Kind k, std::string channel, std::string subject, std::string body) {
    k.builtin.push_back(BuiltinTemplate{std::move(channel), "en", std::move(subject), std::move(body)});
    return k;
}

/// The kind with an in-app variant too (a short title and one line, shown in the account's inbox).
Kind in_app(Kind k, std::string title, std::string body) { return also(std::move(k), "in_app", std::move(title), std::move(body)); }

/// The kind sent as a push notification (title, body) and by SMS (one text; the subject, the push
/// title, only names it in the delivery log).
Kind mobile(Kind k, std::string title, std::string body, std::string sms) {
    Kind out = also(std::move(k), "push", title, std::move(body));
    return also(std::move(out), "sms", std::move(title), std::move(sms));
}

const std::vector<std::string> kLineFields{"quantity", "title", "sku", "line_total"};

std::vector<Kind> make_kinds() {
    std::vector<Kind> k;
    k.push_back(in_app(kind("welcome", "identity.user_registered.v1", "customer", "account", true, {{"name", "link", "shop_name"}, {}},
                     {{"link", "https://shop.example/account"}}, "Welcome to {{shop_name}}, {{name}}",
                     "Hello {{name}},\n\nwelcome to {{shop_name}}! Your account is ready:\n\n{{link}}\n\n— {{shop_name}}\n"), "Welcome to {{shop_name}}", "Your account is ready."));
    k.push_back(kind("email_verification", "identity.email_verification_requested.v1", "customer", "account", true,
                     {{"name", "link", "shop_name"}, {}}, {{"link", "https://shop.example/account/verify-email?token=sample"}},
                     "Confirm your email for {{shop_name}}",
                     "Hello {{name}},\n\nplease confirm that this is your email address:\n\n{{link}}\n\n— {{shop_name}}\n"));
    k.push_back(kind("password_reset", "identity.password_reset_requested.v1", "customer", "account", true,
                     {{"name", "link", "valid_minutes", "shop_name"}, {}},
                     {{"link", "https://shop.example/account/reset-password?token=sample"}, {"valid_minutes", "30"}},
                     "Reset your {{shop_name}} password",
                     "Hello {{name}},\n\nsomeone (hopefully you) asked to reset the password of your {{shop_name}} account. Choose a new\n"
                     "one here within {{valid_minutes}} minutes:\n\n{{link}}\n\nThe link works once. If you did not ask for this, ignore "
                     "this mail: your password stays as it is.\n\n— {{shop_name}}\n"));
    k.push_back(in_app(kind("password_changed", "identity.password_changed.v1", "customer", "account", true, {{"name", "shop_name"}, {}}, {},
                     "Your {{shop_name}} password was changed",
                     "Hello {{name}},\n\nthe password of your {{shop_name}} account was just changed, and every other session was signed\n"
                     "out. If this was not you, reset your password at once.\n\n— {{shop_name}}\n"), "Your password was changed", "Every other session was signed out. Not you? Reset your password at once."));
    Schema order{{"order_number", "order_id", "subtotal", "shipping", "tax", "total", "shop_name"}, {{"lines", kLineFields}}};
    k.push_back(in_app(kind("order_placed", "ordering.order_placed.v1", "customer", "orders", true, order, {}, "We have your order #{{order_number}}",
                     "Hello,\n\nthank you for your order #{{order_number}}. It is reserved for you until it is paid.\n\n"
                     "{{#lines}}\n  {{quantity}} x {{title}} ({{sku}})  {{line_total}}\n{{/lines}}\n\nTotal: {{total}}\n\n"
                     "Order reference: {{order_id}}\n\n— {{shop_name}}\n"), "Order #{{order_number}} placed", "Total {{total}}: it is reserved for you until it is paid."));
    k.push_back(mobile(in_app(kind("order_confirmation", "ordering.order_confirmed.v1", "customer", "orders", true, order, {},
                     "Your order #{{order_number}} is confirmed",
                     "Hello,\n\nthank you for your order #{{order_number}}. We have received your payment and are preparing your parcel.\n\n"
                     "{{#lines}}\n  {{quantity}} x {{title}} ({{sku}})  {{line_total}}\n{{/lines}}\n\n"
                     "Subtotal: {{subtotal}}\nShipping: {{shipping}}\nTax:      {{tax}}\nTotal:    {{total}}\n\n"
                     "Order reference: {{order_id}}\n\n— {{shop_name}}\n"), "Order #{{order_number}} confirmed", "We have your payment of {{total}} and are preparing your parcel."), "Order #{{order_number}} confirmed", "We have your payment of {{total}}.", "{{shop_name}}: order #{{order_number}} is confirmed ({{total}})."));
    k.push_back(mobile(in_app(kind("order_shipped", "ordering.order_shipped.v1", "customer", "orders", true,
                     {{"order_number", "carrier", "tracking_number", "remaining", "shop_name"}, {{"lines", {"quantity", "title", "sku"}}}},
                     {{"carrier", "DHL"}, {"tracking_number", "JD014600006281"}, {"remaining", "This completes your order."}},
                     "Your order #{{order_number}} has shipped",
                     "Hello,\n\na parcel with your order #{{order_number}} is on its way.\n\nCarrier:         {{carrier}}\n"
                     "Tracking number: {{tracking_number}}\n\n{{#lines}}\n  {{quantity}} x {{title}} ({{sku}})\n{{/lines}}\n{{remaining}}\n\n"
                     "— {{shop_name}}\n"), "Order #{{order_number}} shipped", "Carrier {{carrier}}, tracking number {{tracking_number}}. {{remaining}}"), "Order #{{order_number}} shipped", "{{carrier}} {{tracking_number}}", "{{shop_name}}: order #{{order_number}} shipped with {{carrier}}, tracking {{tracking_number}}."));
    k.push_back(mobile(in_app(kind("order_delivered", "ordering.order_delivered.v1", "customer", "orders", true, {{"order_number", "message", "shop_name"}, {}},
                     {{"message", "your order #1042 has been delivered. We hope you enjoy it."}}, "Your order #{{order_number}} was delivered",
                     "Hello,\n\n{{message}}\n\n— {{shop_name}}\n"), "Order #{{order_number}} delivered", "{{message}}"), "Order #{{order_number}} delivered", "{{message}}", "{{shop_name}}: order #{{order_number}} was delivered."));
    k.push_back(in_app(kind("order_cancelled", "ordering.order_cancelled.v1", "customer", "orders", true, {{"order_number", "reason", "shop_name"}, {}},
                     {{"reason", "you cancelled it"}}, "Your order #{{order_number}} was cancelled",
                     "Hello,\n\nyour order #{{order_number}} was cancelled ({{reason}}). Any reserved items have been released, and\n"
                     "any payment taken for it is refunded in full.\n\n— {{shop_name}}\n"), "Order #{{order_number}} cancelled", "It was cancelled because {{reason}}."));
    k.push_back(in_app(kind("order_refunded", "ordering.order_refunded.v1", "customer", "orders", true,
                     {{"order_number", "amount", "total_refunded", "reason", "shop_name"}, {}},
                     {{"amount", "USD 19.99"}, {"total_refunded", "USD 19.99"}, {"reason", "damaged in transit"}},
                     "A refund for your order #{{order_number}}",
                     "Hello,\n\nwe have refunded {{amount}} for your order #{{order_number}}.\n\nReason:          {{reason}}\n"
                     "Refunded so far: {{total_refunded}}\n\nIt appears on your card statement within a few days.\n\n— {{shop_name}}\n"), "Refund for order #{{order_number}}", "{{amount}} refunded ({{reason}})."));
    k.push_back(in_app(kind("return_updated", "ordering.return_updated.v1", "customer", "orders", true,
                     {{"order_number", "status", "message", "note", "shop_name"}, {}},
                     {{"status", "approved"}, {"message", "your return ret_01HQ is approved: please send the items back."}, {"note", ""}},
                     "Your return for order #{{order_number}}: {{status}}", "Hello,\n\n{{message}}\n{{note}}\n\n— {{shop_name}}\n"), "Return for order #{{order_number}}: {{status}}", "{{message}}"));
    k.push_back(kind("low_stock", "inventory.low_stock.v1", "admins", "stock", false,
                     {{"sku", "warehouse", "on_hand", "available", "threshold", "shop_name"}, {}},
                     {{"sku", "TEE-M"}, {"warehouse", "main"}, {"on_hand", "3"}, {"available", "2"}, {"threshold", "5"}},
                     "Low stock: {{sku}} in {{warehouse}}",
                     "{{sku}} is running low in warehouse {{warehouse}}: {{available}} free of {{on_hand}} on hand (alert at "
                     "{{threshold}}).\n\n— {{shop_name}}\n"));
    k.push_back(in_app(kind("review_approved", "catalog.review_moderated.v1", "customer", "reviews", false,
                            {{"name", "product_title", "rating", "link", "shop_name"}, {}},
                            {{"product_title", "Organic cotton tee"}, {"rating", "5"}, {"link", "https://shop.example/#/p/organic-cotton-tee"}},
                            "Your review of {{product_title}} is online",
                            "Hello {{name}},\n\nthank you for reviewing {{product_title}} ({{rating}} of 5). It is now shown on the product's "
                            "page:\n\n{{link}}\n\n— {{shop_name}}\n"),
                       "Your review is online", "Your review of {{product_title}} ({{rating}} of 5) is shown on its page."));
    k.push_back(kind("newsletter", "POST /api/v1/admin/notifications/campaigns", "customer", "marketing", false, {{"name", "title", "message", "shop_name"}, {}},
                     {{"title", "Our summer sale starts today"}, {"message", "Everything in the Outdoor range is 20 % off until Sunday."}},
                     "{{title}}", "Hello {{name}},\n\n{{message}}\n\n— {{shop_name}}\n"));
    return k;
}

}  // namespace

const std::vector<Kind>& kinds() {
    static const std::vector<Kind> all = make_kinds();
    return all;
}

const Kind* find_kind(std::string_view key) {
    for (auto& k : kinds())
        if (k.key == key) return &k;
    return nullptr;
}

bool sends_on(const Kind& k, std::string_view channel) {
    for (auto& b : k.builtin)
        if (b.channel == channel) return true;
    return false;
}

std::vector<PreferenceSlot> preference_slots(bool admin) {
    std::map<std::pair<std::string, std::string>, bool> slots;  // -> locked
    for (auto& k : kinds()) {
        if (k.recipient != "customer" && !admin) continue;
        for (auto& b : k.builtin) {
            auto& locked = slots[{k.category, b.channel}];
            locked = locked || (b.channel == "email" && k.transactional);
        }
    }
    std::vector<PreferenceSlot> out;
    for (auto& [key, locked] : slots) out.push_back({key.first, key.second, locked});
    return out;
}

const PreferenceSlot* find_slot(const std::vector<PreferenceSlot>& slots, std::string_view category, std::string_view channel) {
    for (auto& s : slots)
        if (s.category == category && s.channel == channel) return &s;
    return nullptr;
}

}  // namespace shop::notification::domain
