#include "payment_service.hpp"

#include <fmt/format.h>

#include <ctime>

#include "domain/cards.hpp"
#include "domain/stripe_signature.hpp"
#include "payment/errors.hpp"
#include "payment/events.hpp"
#include "platform/audit.hpp"
#include "platform/crypto.hpp"
#include "platform/day_range.hpp"
#include "platform/db.hpp"
#include "platform/fault.hpp"
#include "platform/json_input.hpp"

namespace shop::payment {

namespace {

class PaymentCategory final : public ErrorCategory {
public:
    const char* name() const noexcept override { return "payment"; }
    int http_status(int) const noexcept override { return 409; }
    std::string_view problem_code(int ev) const noexcept override {
        switch (static_cast<errc>(ev)) {
            case errc::order_not_payable: return "order_not_payable";
            case errc::payment_in_progress: return "payment_in_progress";
            case errc::order_already_paid: return "order_already_paid";
            case errc::invalid_state: return "invalid_state";
            case errc::operation_in_progress: return "operation_in_progress";
            case errc::provider_declined: return "provider_declined";
        }
        return "internal_error";
    }
};

const char* kIntentColumns =
    "SELECT id, order_id, amount, currency, status, provider, card_brand, card_last4, failure_code, failure_message, "
    "created_at, updated_at, payment_method, amount_refunded, capture_method, amount_captured, next_action_url FROM payment.intents ";

Payment intent_from_row(db::Sql& sql, const db::Row& r) {
    Payment p;
    std::string currency = r.str(3);
    p.id = api::of<api::Id<"pay">>(r.str(0));
    p.order_id = api::of<api::Id<"ord">>(r.str(1));
    p.amount = {r.i64(2), currency};
    p.status.value = r.str(4);
    p.provider = r.str(5);
    p.capture_method.value = r.str(14);
    p.card = {r.str(6), r.str(7)};
    p.amount_capturable = {p.status == "requires_capture" ? r.i64(2) : 0, currency};
    p.amount_captured = {r.i64(15), currency};
    p.amount_refunded = {r.i64(13), currency};
    p.created_at.value = r.str(10);
    p.updated_at.value = r.str(11);
    if (p.status == "failed") {
        p.failure_code = r.str(8);
        p.failure_message = r.str(9);
    }
    if (p.status == "requires_action") {
        if (p.provider == "sandbox")
            p.next_action = NextAction{api::of<decltype(NextAction::type)>("sandbox_3ds"), "/api/v1/payments/" + r.str(0) + "/sandbox/3ds"};
        else
            p.next_action = NextAction{api::of<decltype(NextAction::type)>("redirect_to_url"), r.str(16)};
    }
    for (auto& f : sql.query("SELECT id, amount, reason, status, failure_code, created_at FROM payment.operations "
                             "WHERE intent_id = ? AND kind = 'refund' ORDER BY id",
                             r.str(0))) {
        RefundOut out{f.str(0), {f.i64(1), currency}, f.str(2), api::of<decltype(RefundOut::status)>(f.str(3)), std::nullopt,
                      api::of<api::Timestamp>(f.str(5))};
        if (!f.str(4).empty()) out.failure_code = f.str(4);
        p.refunds.push_back(std::move(out));
    }
    return p;
}

std::optional<Payment> load_in(db::Sql& sql, const std::string& id) {
    auto r = sql.one(std::string(kIntentColumns) + "WHERE id = ?", id);
    if (!r) return std::nullopt;
    return intent_from_row(sql, *r);
}

const char* kPendingColumns =
    "SELECT o.id, o.intent_id, o.kind, o.amount, o.reason, i.provider, i.provider_ref, i.order_id, i.currency, i.amount "
    "FROM payment.operations o JOIN payment.intents i ON i.id = o.intent_id ";

PendingOperation pending_of(const db::Row& r) {
    return {r.str(0), r.str(1), r.str(2), r.i64(3), r.str(4), r.str(5), r.str(6), r.str(7), r.str(8), r.i64(9)};
}

/// Money a payment's refunds hold: succeeded and still pending ones.
std::int64_t refunds_held(db::Sql& sql, const std::string& intent_id) {
    auto r = sql.one("SELECT COALESCE(SUM(amount), 0) FROM payment.operations WHERE intent_id = ? AND kind = 'refund' AND status <> 'failed'",
                     intent_id);
    return r ? r->i64(0) : 0;
}

}  // namespace

const ErrorCategory& payment_category() noexcept {
    static const PaymentCategory kCategory;
    return kCategory;
}

PaymentService::PaymentService(db::Database& db, Logger& log, ordering::OrderingApi& ordering, const std::string& capture,
                               std::unique_ptr<StripeProvider> stripe, std::string stripe_webhook_secret, std::int64_t webhook_tolerance_s)
    : db_(db), log_(log), ordering_(ordering), default_capture_(capture), sandbox_(db), stripe_(std::move(stripe)),
      stripe_webhook_secret_(std::move(stripe_webhook_secret)), webhook_tolerance_s_(webhook_tolerance_s) {
    if (capture != "automatic" && capture != "manual") throw std::runtime_error("payment.capture must be automatic or manual, not " + capture);
}

PaymentProvider& PaymentService::provider(const std::string& name) {
    if (name == sandbox_.name()) return sandbox_;
    if (stripe_ && name == stripe_->name()) return *stripe_;
    throw std::runtime_error("no payment provider " + name);
}

std::optional<Payment> PaymentService::load(const std::string& id) {
    return db_.read([&](db::Reader& r) { return load_in(r, id); });
}

std::vector<PaymentSummary> PaymentService::payments_of_order(std::string_view order_id_in) {
    std::vector<PaymentSummary> out;
    std::string order_id(order_id_in);
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT id, order_id, status, amount, currency FROM payment.intents WHERE order_id = ? ORDER BY id", order_id))
            out.push_back({row.str(0), row.str(1), row.str(2), Money{row.i64(3), row.str(4)}});
    });
    return out;
}

Result<CardToken> PaymentService::create_sandbox_token(const Ctx&, const CardTokenRequest& in) {
    const std::string& number = in.number.value;
    const std::string& cvc = in.cvc.value;
    std::int64_t exp_month = in.exp_month.value, exp_year = in.exp_year.value;
    std::vector<FieldError> errors;
    auto digits = domain::card_digits(number);
    if (!digits || !domain::luhn_valid(*digits)) errors.push_back({"number", "is not a valid card number"});
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    int year = tm.tm_year + 1900, month = tm.tm_mon + 1;
    if (exp_year < year || (exp_year == year && exp_month < month)) errors.push_back({"exp_year", "the card has expired"});
    if (cvc.size() < 3 || cvc.size() > 4 || cvc.find_first_not_of("0123456789") != std::string::npos)
        errors.push_back({"cvc", "must be 3 or 4 digits"});
    if (!errors.empty()) return validation_error(std::move(errors));
    domain::SandboxCard sealed{domain::card_brand(*digits), digits->substr(digits->size() - 4), exp_month, exp_year,
                               domain::sandbox_outcome_key(*digits)};
    std::string token = domain::seal_sandbox_token(sealed, sandbox_.key(), crypto::random_token(9));
    return CardToken{token, sealed.brand, sealed.last4, exp_month, exp_year};
}

Result<Payment> PaymentService::pay(const Ctx& ctx, const PayRequest& in, std::string_view cart_token) {
    auto order = ordering_.order_for_payment(ctx, in.order_id.value, cart_token);
    if (!order) return Error(order.error().ec, order.error().detail, {{"order_id", "is not an order of yours"}});
    if (order->status != "pending_payment")
        return Error(order->status == "confirmed" ? errc::order_already_paid : errc::order_not_payable,
                     fmt::format("order {} is {}, not awaiting payment", order->id, order->status));
    if (now_ms() > order->payable_until_ms)
        return Error(errc::order_not_payable, fmt::format("the payment window of order {} has closed", order->id));
    const std::string& token = in.payment_method.value;
    // The provider whose tokens these are: Stripe PaymentMethods (pm_…) when Stripe is configured,
    // else the sandbox's signed tokens. The card shown on receipts: the sandbox token says it now,
    // Stripe says it with its answer.
    bool remote = stripe_ && stripe_->recognizes(token);
    PaymentProvider& p = remote ? static_cast<PaymentProvider&>(*stripe_) : sandbox_;
    std::optional<domain::SandboxCard> card;
    if (!remote) {
        card = domain::open_sandbox_token(token, sandbox_.key());
        if (!p.recognizes(token) || !card)
            return validation("payment_method", stripe_ ? "is not a sandbox token or a Stripe PaymentMethod (pm_…)" : "is not a payment method token");
    }
    std::string brand = card ? card->brand : "", last4 = card ? card->last4 : "";
    std::string capture = in.capture_method ? in.capture_method->value : default_capture_;

    // The intent is written `processing` before the provider is asked: a retry meanwhile is refused
    // (one live intent per order), and a crash before the answer is recorded is finished by recover().
    std::string intent_id = new_id("pay");
    auto started = db_.write("payment", ctx, [&](db::Tx& tx) -> Result<void> {
        if (auto live = tx.one("SELECT status FROM payment.intents WHERE order_id = ? AND status IN ('processing', 'requires_action', "
                               "'requires_capture', 'succeeded')",
                               order->id)) {
            if (live->str(0) == "processing" || live->str(0) == "requires_action")
                return Error(errc::payment_in_progress, "a payment for this order is being processed");
            return Error(errc::order_already_paid, fmt::format("order {} is already paid", order->id));
        }
        std::string at = now_iso8601();
        tx.exec("INSERT INTO payment.intents (id, order_id, customer_id, amount, currency, status, provider, payment_method, "
                "card_brand, card_last4, capture_method, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'processing', ?, ?, ?, ?, ?, ?, ?)",
                intent_id, order->id, ctx.user_id(), order->total.amount, order->total.currency, std::string(p.name()), token,
                brand, last4, capture, at, at);
        return {};
    });
    if (!started) return started.error();
    auto charge = p.authorize({intent_id, order->total.amount, order->total.currency, token, capture == "automatic"});
    // No answer from a remote provider: the outcome is unknown, so the intent stays `processing`
    // (the order stays held); its webhook, POST /payments/{id}/confirm or the restart's recover()
    // ask again with the same key.
    bool unknown = !charge && charge.error().ec == make_error_code(shop::errc::unavailable);
    if (unknown) log_.warn("the payment provider did not answer; the payment stays processing", {{"payment_id", intent_id}, {"error", charge.error().detail}});
    return db_.write("payment", ctx, [&](db::Tx& tx) -> Result<Payment> {
        ProviderCharge outcome = charge ? *charge : ProviderCharge{"", "failed", 0, 0, "processing_error", charge.error().detail};
        if (!unknown) record_outcome(tx, intent_id, "processing", outcome);
        auto intent = *load_in(tx, intent_id);
        tx.reply(api::write_value(intent));
        return intent;
    });
}

void PaymentService::record_outcome(db::Tx& tx, const std::string& intent_id, const std::string& from, const ProviderCharge& charge) {
    auto row = tx.one("SELECT status, order_id, amount, currency, card_brand, card_last4, provider FROM payment.intents WHERE id = ?", intent_id);
    if (!row) throw std::runtime_error("settling unknown payment " + intent_id);
    if (row->str(0) != from) return;  // settled already
    std::string order_id = row->str(1), currency = row->str(3), brand = row->str(4), last4 = row->str(5), provider = row->str(6);
    std::int64_t amount = row->i64(2);
    std::string at = now_iso8601();
    std::string message = charge.status == "requires_action" ? "The card requires authentication (3-D Secure)." : charge.failure_message;
    tx.exec("UPDATE payment.intents SET status = ?, provider_ref = ?, amount_captured = ?, failure_code = ?, failure_message = ?, "
            "next_action_url = ?, updated_at = ? WHERE id = ?",
            charge.status, charge.ref, charge.amount_captured, charge.failure_code, message, charge.next_action_url, at, intent_id);
    if (!charge.card_last4.empty()) {
        brand = charge.card_brand;
        last4 = charge.card_last4;
        tx.exec("UPDATE payment.intents SET card_brand = ?, card_last4 = ? WHERE id = ?", brand, last4, intent_id);
    }
    tx.exec("INSERT INTO payment.attempts (id, intent_id, outcome, failure_code, created_at) VALUES (?, ?, ?, ?, ?)", new_id("att"),
            intent_id, charge.status, charge.failure_code, at);
    if (charge.status == "succeeded" || charge.status == "requires_capture")
        tx.publish(events::PaymentAuthorized{intent_id, order_id, amount, currency, provider, brand, last4, charge.status == "succeeded"});
    else if (charge.status == "failed")
        tx.publish(events::PaymentFailed{intent_id, order_id, charge.failure_code, charge.failure_message});
}

void PaymentService::collect_metrics(std::string& out) {
    out += "# HELP shop_payments Payment intents by provider and status.\n# TYPE shop_payments gauge\n";
    std::string refunds;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT provider, status, COUNT(*) FROM payment.intents GROUP BY provider, status ORDER BY provider, status"))
            out += fmt::format("shop_payments{{provider=\"{}\",status=\"{}\"}} {}\n", row.str(0), row.str(1), row.i64(2));
        for (auto& row : r.query("SELECT status, COUNT(*) FROM payment.operations WHERE kind = 'refund' GROUP BY status ORDER BY status"))
            refunds += fmt::format("shop_refunds{{status=\"{}\"}} {}\n", row.str(0), row.i64(1));
    });
    out += "# HELP shop_refunds Refunds by status.\n# TYPE shop_refunds gauge\n" + refunds;
    std::string webhooks;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT type, COUNT(*) FROM payment.stripe_events GROUP BY type ORDER BY type"))
            webhooks += fmt::format("shop_webhook_events_received{{provider=\"stripe\",type=\"{}\"}} {}\n", row.str(0), row.i64(1));
    });
    out += "# HELP shop_webhook_events_received Provider webhook events accepted (signature valid), each event id once, by type.\n"
           "# TYPE shop_webhook_events_received gauge\n" + webhooks;
}

Result<Payment> PaymentService::owned(const Ctx& ctx, std::string_view payment_id, std::string_view cart_token) {
    auto p = load(std::string(payment_id));
    if (!p) return not_found(fmt::format("no payment {}", payment_id));
    auto order = ordering_.order_for_payment(ctx, p->order_id.value, cart_token);
    if (!order) return not_found(fmt::format("no payment {}", payment_id));
    return std::move(*p);
}

Result<Payment> PaymentService::authenticate(const Ctx& ctx, std::string_view payment_id, bool succeed, std::string_view cart_token) {
    auto p = owned(ctx, payment_id, cart_token);
    if (!p) return p.error();
    if (p->status != "requires_action")
        return Error(errc::invalid_state, fmt::format("payment {} is {}, not awaiting authentication", p->id.value, p->status.value),
                     {{"result", fmt::format("payment is {}", p->status.value)}});
    if (p->provider != sandbox_.name())
        return Error(errc::invalid_state, "only sandbox payments are authenticated here", {{"result", "payment is not a sandbox payment"}});
    std::string id = p->id.value;
    std::string ref = db_.read([&](db::Reader& r) { return r.one("SELECT provider_ref FROM payment.intents WHERE id = ?", id)->str(0); });
    auto done = sandbox_.complete_authentication(ref, succeed);
    // Done already (a retry after a crash)? Either way, what the charge is now is the provider's word.
    if (!done && done.error().ec != make_error_code(errc::invalid_state)) return done.error();
    auto charge = sandbox_.status(ref);
    if (!charge) return charge.error();
    return db_.write("payment", ctx, [&](db::Tx& tx) -> Result<Payment> {
        record_outcome(tx, id, "requires_action", *charge);
        auto intent = *load_in(tx, id);
        tx.reply(api::write_value(intent));
        return intent;
    });
}

Result<PendingOperation> PaymentService::begin_operation(db::Tx& tx, const std::string& payment_id, const std::string& kind,
                                                         std::optional<std::int64_t> amount, const std::string& reason,
                                                         const std::string& id) {
    if (tx.exec("UPDATE payment.intents SET updated_at = ? WHERE id = ?", now_iso8601(), payment_id) == 0)
        return not_found(fmt::format("no payment {}", payment_id));
    auto p = *load_in(tx, payment_id);
    const std::string& status = p.status.value;
    if (kind != "refund") {
        if (tx.one("SELECT 1 FROM payment.operations WHERE intent_id = ? AND kind IN ('capture', 'void') AND status = 'pending'", payment_id))
            return Error(errc::operation_in_progress, fmt::format("a capture or void of payment {} is under way", payment_id));
        bool open = status == "requires_capture" || (kind == "void" && status == "requires_action");
        if (!open)
            return Error(errc::invalid_state,
                         fmt::format("payment {} is {}; only an uncaptured authorization can be {}", payment_id, status,
                                     kind == "capture" ? "captured" : "voided"),
                         {{"status", fmt::format("is {}", status)}});
    } else if (status != "succeeded") {
        return Error(errc::invalid_state, fmt::format("payment {} is {}; only a captured payment can be refunded", payment_id, status),
                     {{"status", fmt::format("is {}", status)}});
    }
    std::int64_t value = 0;
    if (kind == "capture") {
        value = amount.value_or(p.amount.amount);
        if (value > p.amount.amount) return validation("amount", fmt::format("exceeds the authorized {}", p.amount.amount));
    } else if (kind == "refund") {
        std::int64_t left = p.amount_captured.amount - refunds_held(tx, payment_id);
        if (left <= 0)
            return Error(errc::invalid_state, fmt::format("everything captured of payment {} is refunded or being refunded", payment_id),
                         {{"amount", "nothing is left to refund"}});
        value = amount.value_or(left);
        if (value > left) return validation("amount", fmt::format("exceeds what is left to refund ({} of {} captured)", left, p.amount_captured.amount));
    }
    std::string at = now_iso8601();
    tx.exec("INSERT INTO payment.operations (id, intent_id, kind, amount, reason, status, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)", id,
            payment_id, kind, value, reason, at);
    return pending_of(*tx.one(std::string(kPendingColumns) + "WHERE o.id = ?", id));
}

Result<Payment> PaymentService::carry_out(const Ctx& ctx, const PendingOperation& op) {
    PaymentProvider& p = provider(op.provider);
    std::optional<Error> refused;
    ProviderCharge charge;
    ProviderRefund refunded;
    if (op.kind == "capture") {
        auto r = p.capture(op.provider_ref, op.amount, op.id);
        // A crash test may kill the process here: captured at the provider, not yet recorded.
        fault::point("payment.capture.after_provider");
        if (r) charge = *r;
        else refused = r.error();
    } else if (op.kind == "void") {
        auto r = p.cancel(op.provider_ref, op.id);
        if (r) charge = *r;
        else refused = r.error();
    } else {
        auto r = p.refund(op.provider_ref, op.amount, op.id);
        if (!r) refused = r.error();
        else if (!r->succeeded) refused = Error(errc::provider_declined, fmt::format("the provider refused the refund: {}", r->failure_code));
        if (r) refunded = *r;
    }
    if (refused && refused->ec == make_error_code(shop::errc::unavailable)) {
        // No answer: the operation stays pending, and is carried out again with the same key later.
        log_.warn("the payment provider did not answer; the operation stays pending", {{"operation", op.id}, {"error", refused->detail}});
        return *refused;
    }
    auto recorded = db_.write("payment", ctx, [&](db::Tx& tx) -> Result<Payment> {
        auto state = tx.one("SELECT status FROM payment.operations WHERE id = ?", op.id);
        if (state && state->str(0) == "pending") {
            std::string at = now_iso8601();
            if (refused) {
                std::string code = op.kind == "refund" && !refunded.failure_code.empty() ? refunded.failure_code : std::string(refused->code());
                tx.exec("UPDATE payment.operations SET status = 'failed', failure_code = ?, settled_at = ? WHERE id = ?", code, at, op.id);
                if (op.kind == "refund") tx.publish(events::RefundFailed{op.id, op.order_id, op.intent_id, code});
                log_.warn("a payment operation was refused", {{"operation", op.id}, {"kind", op.kind}, {"reason", refused->detail}});
            } else {
                tx.exec("UPDATE payment.operations SET status = 'succeeded', settled_at = ? WHERE id = ?", at, op.id);
                if (op.kind == "capture") {
                    tx.exec("UPDATE payment.intents SET status = 'succeeded', amount_captured = ?, updated_at = ? WHERE id = ?",
                            charge.amount_captured, at, op.intent_id);
                    tx.publish(events::PaymentCaptured{op.intent_id, op.order_id, charge.amount_captured, op.authorized - charge.amount_captured,
                                                       op.currency});
                } else if (op.kind == "void") {
                    tx.exec("UPDATE payment.intents SET status = 'canceled', updated_at = ? WHERE id = ?", at, op.intent_id);
                    tx.publish(events::PaymentVoided{op.intent_id, op.order_id, op.authorized, op.currency, op.reason});
                } else {
                    tx.exec("UPDATE payment.intents SET amount_refunded = amount_refunded + ?, updated_at = ? WHERE id = ?", op.amount, at,
                            op.intent_id);
                    tx.publish(events::PaymentRefunded{op.intent_id, op.id, op.order_id, op.amount, op.currency, op.reason});
                }
                log_.info("payment operation done", {{"operation", op.id}, {"kind", op.kind}, {"amount", op.amount}});
            }
        }
        auto intent = *load_in(tx, op.intent_id);
        if (!refused) tx.reply(api::write_value(intent));
        return intent;
    });
    if (refused) return *refused;
    return recorded;
}

Result<Payment> PaymentService::admin_operation(const Ctx& ctx, std::string_view payment_id, const std::string& kind,
                                                std::optional<std::int64_t> amount, const std::string& reason, const std::string& op_id) {
    std::string id(payment_id);
    auto op = db_.write("payment", ctx, [&](db::Tx& tx) -> Result<PendingOperation> {
        auto started = begin_operation(tx, id, kind, amount, reason, op_id);
        if (started)
            audit::record(tx, "payment." + kind + ".requested", id,
                          {{"operation", started->id}, {"amount", started->amount}, {"reason", started->reason}});
        return started;
    });
    if (!op) return op.error();
    return carry_out(ctx, *op);
}

Result<Payment> PaymentService::capture(const Ctx& ctx, std::string_view payment_id, std::optional<std::int64_t> amount) {
    return admin_operation(ctx, payment_id, "capture", amount, "", new_id("cap"));
}

Result<Payment> PaymentService::void_payment(const Ctx& ctx, std::string_view payment_id, const std::string& reason) {
    return admin_operation(ctx, payment_id, "void", std::nullopt, reason, new_id("vd"));
}

Result<Payment> PaymentService::refund(const Ctx& ctx, std::string_view payment_id, std::optional<std::int64_t> amount, const std::string& reason) {
    return admin_operation(ctx, payment_id, "refund", amount, reason, new_id("ref"));
}

void PaymentService::run_pending() {
    std::lock_guard lock(pending_mu_);
    auto ops = db_.read([&](db::Reader& r) {
        std::vector<PendingOperation> out;
        for (auto& row : r.query(std::string(kPendingColumns) + "WHERE o.status = 'pending' ORDER BY o.id")) out.push_back(pending_of(row));
        return out;
    });
    for (auto& op : ops) {
        auto done = carry_out(Ctx::system("payment.operation:" + op.id), op);
        if (!done) log_.warn("a pending payment operation did not go through", {{"operation", op.id}, {"reason", done.error().detail}});
    }
}

bool PaymentService::idle() {
    return db_.read([&](db::Reader& r) { return r.count("SELECT COUNT(*) FROM payment.operations WHERE status = 'pending'") == 0; });
}

int PaymentService::recover() {
    struct Stuck {
        std::string id, provider, token, order_id, currency, capture;
        std::int64_t amount = 0;
    };
    std::vector<Stuck> stuck;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT id, provider, payment_method, order_id, currency, capture_method, amount FROM payment.intents "
                                 "WHERE status = 'processing'"))
            stuck.push_back({row.str(0), row.str(1), row.str(2), row.str(3), row.str(4), row.str(5), row.i64(6)});
    });
    for (auto& s : stuck) {
        // The same idempotency key as the interrupted call: the provider answers what it did then.
        if (s.provider == "stripe" && !stripe_) {
            log_.warn("a Stripe payment is processing but Stripe is not configured", {{"payment_id", s.id}});
            continue;
        }
        auto charge = provider(s.provider).authorize({s.id, s.amount, s.currency, s.token, s.capture == "automatic"});
        if (!charge && charge.error().ec == make_error_code(shop::errc::unavailable)) {
            log_.warn("the payment provider did not answer; the payment stays processing", {{"payment_id", s.id}});
            continue;
        }
        ProviderCharge outcome = charge ? *charge : ProviderCharge{"", "failed", 0, 0, "processing_error", charge.error().detail};
        db_.write("payment", Ctx::system("payment.recovery:" + s.id), [&](db::Tx& tx) { record_outcome(tx, s.id, "processing", outcome); });
        log_.warn("settled a payment left processing by a crash", {{"payment_id", s.id}, {"status", outcome.status}});
    }
    int pending = db_.read([&](db::Reader& r) { return static_cast<int>(r.count("SELECT COUNT(*) FROM payment.operations WHERE status = 'pending'")); });
    if (pending > 0) log_.warn("finishing payment operations left pending by a crash", {{"count", pending}});
    run_pending();
    return static_cast<int>(stuck.size()) + pending;
}

void PaymentService::release_order_in(db::Tx& tx, const std::string& order_id, const std::string& reason) {
    std::vector<std::string> ids;
    for (auto& r : tx.query("SELECT id FROM payment.intents WHERE order_id = ? AND status IN ('requires_action', 'requires_capture', 'succeeded')",
                            order_id))
        ids.push_back(r.str(0));
    for (auto& id : ids) release_in(tx, id, reason);
}

void PaymentService::release_in(db::Tx& tx, const std::string& payment_id, const std::string& reason) {
    auto row = tx.one("SELECT status FROM payment.intents WHERE id = ?", payment_id);
    if (!row) throw std::runtime_error("release requested for unknown payment " + payment_id);
    std::string status = row->str(0);
    Result<PendingOperation> op = Error(errc::invalid_state, "nothing to give back");
    if (status == "requires_capture" || status == "requires_action") op = begin_operation(tx, payment_id, "void", std::nullopt, reason, new_id("vd"));
    else if (status == "succeeded") op = begin_operation(tx, payment_id, "refund", std::nullopt, reason, new_id("ref"));
    // Nothing (more) was taken: nothing to do. A capture under way: it is carried out, and ordering
    // rejects it once settled (its order is cancelled), which brings the refund.
    if (!op && op.error().ec != make_error_code(errc::operation_in_progress)) return;
    tx.after_commit([this] { run_pending(); });
}

void PaymentService::request_refund_in(db::Tx& tx, const std::string& refund_id, const std::string& order_id, std::int64_t amount,
                                       const std::string& reason) {
    // At most one payment of an order holds money (one live intent per order).
    auto paid = tx.one("SELECT id FROM payment.intents WHERE order_id = ? AND status = 'succeeded' ORDER BY id", order_id);
    if (tx.one("SELECT 1 FROM payment.operations WHERE id = ?", refund_id)) return;  // asked before
    if (!paid) {
        tx.publish(events::RefundFailed{refund_id, order_id, "", "nothing_captured"});
        return;
    }
    auto op = begin_operation(tx, paid->str(0), "refund", amount, reason, refund_id);
    if (!op) {
        tx.publish(events::RefundFailed{refund_id, order_id, paid->str(0), "amount_exceeds_captured"});
        return;
    }
    tx.after_commit([this] { run_pending(); });
}

Result<Payment> PaymentService::get(const Ctx& ctx, std::string_view payment_id, std::string_view cart_token) {
    return owned(ctx, payment_id, cart_token);
}

Result<PaymentList> PaymentService::list_for_order(const Ctx& ctx, std::string_view order_id_in, std::string_view cart_token) {
    auto order = ordering_.order_for_payment(ctx, order_id_in, cart_token);
    if (!order) return order.error();
    PaymentList out;
    std::string order_id(order_id_in);
    db_.read([&](db::Reader& r) {
        std::vector<db::Row> rows;
        for (auto& row : r.query(std::string(kIntentColumns) + "WHERE order_id = ? ORDER BY id", order_id)) rows.push_back(row);
        for (auto& row : rows) out.data.push_back(intent_from_row(r, row));  // after the cursor above is done
    });
    return out;
}

void PaymentService::count_in_report(db::Tx& tx, const bus::EventMeta& meta, const std::string& payment_id, std::int64_t attempts,
                                     std::int64_t succeeded, std::int64_t failed, std::int64_t authorized, std::int64_t captured,
                                     std::int64_t refunds, std::int64_t refunded) {
    auto intent = tx.one("SELECT provider, currency FROM payment.intents WHERE id = ?", payment_id);
    if (!intent) return;
    std::string day = (meta.created_at.empty() ? now_iso8601() : meta.created_at).substr(0, 10);
    std::string provider = intent->str(0), currency = intent->str(1);
    tx.exec("INSERT INTO payment.report_daily (day, provider, currency) VALUES (?, ?, ?) ON CONFLICT (day, provider, currency) DO NOTHING", day,
            provider, currency);
    tx.exec("UPDATE payment.report_daily SET attempts = attempts + ?, succeeded = succeeded + ?, failed = failed + ?, "
            "authorized_amount = authorized_amount + ?, captured_amount = captured_amount + ?, refunds = refunds + ?, "
            "refunded_amount = refunded_amount + ? WHERE day = ? AND provider = ? AND currency = ?",
            attempts, succeeded, failed, authorized, captured, refunds, refunded, day, provider, currency);
}

Result<PaymentReport> PaymentService::report(const ReportQuery& q) {
    auto range = day_range(q.from ? std::optional(q.from->value) : std::nullopt, q.to ? std::optional(q.to->value) : std::nullopt);
    if (!range) return range.error();
    PaymentReport out{range->from, range->to, {}, {}};
    auto row_of = [](const db::Row& r, bool with_day) {
        PaymentReportRow o;
        int c = 0;
        if (with_day) o.day = r.str(c++);
        o.provider = r.str(c);
        o.currency = r.str(c + 1);
        o.attempts = r.i64(c + 2);
        o.succeeded = r.i64(c + 3);
        o.failed = r.i64(c + 4);
        o.success_rate_bp = o.attempts > 0 ? o.succeeded * 10'000 / o.attempts : 0;
        o.authorized = {r.i64(c + 5), o.currency};
        o.volume = {r.i64(c + 6), o.currency};
        o.refunds = r.i64(c + 7);
        o.refunded = {r.i64(c + 8), o.currency};
        return o;
    };
    db_.read_snapshot([&](db::Reader& r) {
        for (auto& row : r.query("SELECT day, provider, currency, attempts, succeeded, failed, authorized_amount, captured_amount, refunds, "
                                 "refunded_amount FROM payment.report_daily WHERE day >= ? AND day <= ? ORDER BY day, provider, currency",
                                 range->from, range->to))
            out.days.push_back(row_of(row, true));
        for (auto& row : r.query("SELECT provider, currency, SUM(attempts), SUM(succeeded), SUM(failed), SUM(authorized_amount), "
                                 "SUM(captured_amount), SUM(refunds), SUM(refunded_amount) FROM payment.report_daily "
                                 "WHERE day >= ? AND day <= ? GROUP BY provider, currency ORDER BY provider, currency",
                                 range->from, range->to))
            out.totals.push_back(row_of(row, false));
    });
    return out;
}

void PaymentService::settle_remote(db::Tx& tx, const std::string& intent_id, const ProviderCharge& charge) {
    auto row = tx.one("SELECT status FROM payment.intents WHERE id = ?", intent_id);
    if (!row) return;
    std::string now = row->str(0);
    if (now != "processing" && now != "requires_action") return;  // settled already (by the other path)
    if (charge.status == "processing" || charge.status == now) return;  // no news
    record_outcome(tx, intent_id, now, charge);
}

Result<Payment> PaymentService::confirm(const Ctx& ctx, std::string_view payment_id, std::string_view cart_token) {
    auto p = owned(ctx, payment_id, cart_token);
    if (!p) return p.error();
    if (p->status != "processing" && p->status != "requires_action") return std::move(*p);  // nothing to learn
    if (p->provider == sandbox_.name())
        return Error(errc::invalid_state, "a sandbox payment awaiting authentication is completed at its next_action.url",
                     {{"id", "is a sandbox payment"}});
    if (!stripe_) return Error(shop::errc::unavailable, "Stripe is not configured (payment.stripe.secret_key)");
    std::string id = p->id.value;
    struct Row {
        std::string ref, token, capture;
    };
    auto row = db_.read([&](db::Reader& r) {
        auto x = r.one("SELECT provider_ref, payment_method, capture_method FROM payment.intents WHERE id = ?", id);
        return Row{x->str(0), x->str(1), x->str(2)};
    });
    // Without a reference the first call never got its answer: the same call with the same key does.
    auto charge = row.ref.empty() ? stripe_->authorize({id, p->amount.amount, p->amount.currency, row.token, row.capture == "automatic"})
                                  : stripe_->status(row.ref);
    if (!charge) return charge.error();
    return db_.write("payment", ctx, [&](db::Tx& tx) -> Result<Payment> {
        settle_remote(tx, id, *charge);
        return *load_in(tx, id);
    });
}

Result<PaymentService::WebhookOutcome> PaymentService::stripe_webhook(const Ctx& ctx, const std::string& payload, std::string_view signature,
                                                                      const boost::json::object& event) {
    if (!stripe_ || stripe_webhook_secret_.empty())
        return Error(shop::errc::not_found, "Stripe webhooks are not configured (payment.stripe.webhook_secret)");
    switch (domain::verify_stripe_signature(signature, payload, stripe_webhook_secret_, now_ms() / 1000, webhook_tolerance_s_)) {
        case domain::StripeSignatureCheck::ok: break;
        case domain::StripeSignatureCheck::malformed:
            return validation("Stripe-Signature", "is missing or malformed (t=<time>,v1=<signature>)");
        case domain::StripeSignatureCheck::stale:
            return validation("Stripe-Signature", fmt::format("is older than {} seconds (or from the future): a replay is refused", webhook_tolerance_s_));
        case domain::StripeSignatureCheck::mismatch:
            return validation("Stripe-Signature", "does not match the payload signed with the endpoint's secret");
    }
    auto str = [](const boost::json::object& o, std::string_view k) {
        auto* v = o.if_contains(k);
        return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    std::string event_id = str(event, "id"), type = str(event, "type");
    if (event_id.empty() || type.empty()) return validation("id", "an event needs its id and type");
    std::optional<StripeIntent> intent;
    if (type.starts_with("payment_intent."))
        if (auto* data = event.if_contains("data"); data && data->is_object())
            if (auto* object = data->get_object().if_contains("object"); object && object->is_object())
                intent = parse_stripe_intent(object->get_object());
    return db_.write("payment", ctx, [&](db::Tx& tx) -> Result<WebhookOutcome> {
        WebhookOutcome out;
        // Ours: by the id Stripe gave (recorded with its answer), or the id we put in its metadata
        // (the webhook may arrive before that answer was recorded).
        if (intent) {
            if (auto r = tx.one("SELECT id FROM payment.intents WHERE provider = 'stripe' AND provider_ref = ?", intent->id)) out.payment_id = r->str(0);
            else if (auto m = intent->metadata.find("payment_id"); m != intent->metadata.end())
                if (auto r2 = tx.one("SELECT id FROM payment.intents WHERE provider = 'stripe' AND id = ?", m->second)) out.payment_id = r2->str(0);
        }
        if (tx.exec("INSERT INTO payment.stripe_events (id, type, payment_id, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                    event_id, type, out.payment_id, now_iso8601()) == 0) {
            out.duplicate = true;  // handled before: acknowledged, nothing done again
            return out;
        }
        if (!out.payment_id.empty()) {
            auto charge = StripeProvider::charge_of(*intent);
            settle_remote(tx, out.payment_id, charge);
            log_.info("stripe webhook", {{"event", event_id}, {"type", type}, {"payment_id", out.payment_id}, {"status", charge.status}});
        }
        return out;
    });
}

}  // namespace shop::payment
