#include "payment_service.hpp"

#include <fmt/format.h>

#include <ctime>

#include "domain/cards.hpp"
#include "payment/errors.hpp"
#include "payment/events.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
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
        }
        return "internal_error";
    }
};

const char* kIntentColumns =
    "SELECT id, order_id, amount, currency, status, provider, card_brand, card_last4, failure_code, failure_message, "
    "created_at, updated_at, payment_method, amount_refunded FROM payment.intents ";

Payment intent_from_row(const db::Row& r) {
    Payment p;
    std::string currency = r.str(3);
    p.id = api::of<api::Id<"pay">>(r.str(0));
    p.order_id = api::of<api::Id<"ord">>(r.str(1));
    p.amount = {r.i64(2), currency};
    p.status.value = r.str(4);
    p.provider = r.str(5);
    p.card = {r.str(6), r.str(7)};
    p.amount_refunded = {r.i64(13), currency};
    p.created_at.value = r.str(10);
    p.updated_at.value = r.str(11);
    if (p.status == "failed") {
        p.failure_code = r.str(8);
        p.failure_message = r.str(9);
    }
    if (p.status == "requires_action") p.next_action = NextAction{api::of<decltype(NextAction::type)>("redirect_to_url")};
    return p;
}

std::optional<Payment> load_in(db::Sql& sql, const std::string& id) {
    auto r = sql.one(std::string(kIntentColumns) + "WHERE id = ?", id);
    if (!r) return std::nullopt;
    return intent_from_row(*r);
}

}  // namespace

const ErrorCategory& payment_category() noexcept {
    static const PaymentCategory kCategory;
    return kCategory;
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

Result<CardToken> PaymentService::create_sandbox_token(const Ctx& ctx, const CardTokenRequest& in) {
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
    std::string token = domain::seal_sandbox_token(sealed, sandbox_key(), crypto::random_token(9));
    return CardToken{token, sealed.brand, sealed.last4, exp_month, exp_year};
}

const std::string& PaymentService::sandbox_key() {
    std::call_once(key_once_, [this] {
        Ctx ctx = Ctx::system("payment.sandbox_key");
        sandbox_key_ = db_.write("payment", ctx, [&](db::Tx& tx) {
            if (auto row = tx.one("SELECT key FROM payment.sandbox_key WHERE id = 1")) return row->str(0);
            // Instances starting together: the first insert wins; a later one finds the row taken
            // (on PostgreSQL its transaction is run again and reads the winner's key above).
            tx.exec("INSERT INTO payment.sandbox_key (id, key) VALUES (1, ?) ON CONFLICT (id) DO NOTHING", crypto::random_token(32));
            return tx.one("SELECT key FROM payment.sandbox_key WHERE id = 1")->str(0);
        });
    });
    return sandbox_key_;
}

Result<Payment> PaymentService::pay(const Ctx& ctx, std::string_view order_id, const std::string& token,
                                         std::string_view cart_token) {
    auto order = ordering_.order_for_payment(ctx, order_id, cart_token);
    if (!order) return Error(order.error().ec, order.error().detail, {{"order_id", "is not an order of yours"}});
    if (order->status != "pending_payment")
        return Error(order->status == "confirmed" ? errc::order_already_paid : errc::order_not_payable,
                     fmt::format("order {} is {}, not awaiting payment", order->id, order->status));
    if (now_ms() > order->payable_until_ms)
        return Error(errc::order_not_payable, fmt::format("the payment window of order {} has closed", order->id));
    auto card = domain::open_sandbox_token(token, sandbox_key());
    if (!card) return validation("payment_method", "is not a payment method token");
    const std::string &brand = card->brand, &last4 = card->last4;

    // The sandbox decides from the token alone, with nothing outside this process: the intent is
    // created and settled in one transaction. (A provider behind the network is called between an
    // intent written `processing` and its outcome, and recover_processing() finishes what a crash
    // interrupts.)
    std::string intent_id = new_id("pay");
    auto outcome = domain::sandbox_outcome(card->outcome);
    return db_.write("payment", ctx, [&](db::Tx& tx) -> Result<Payment> {
        if (auto live = tx.one("SELECT status FROM payment.intents WHERE order_id = ? AND status IN ('processing', 'requires_capture', "
                               "'succeeded')",
                               order->id)) {
            if (live->str(0) == "processing") return Error(errc::payment_in_progress, "a payment for this order is being processed");
            return Error(errc::order_already_paid, fmt::format("order {} is already paid", order->id));
        }
        std::string at = now_iso8601();
        tx.exec("INSERT INTO payment.intents (id, order_id, customer_id, amount, currency, status, provider, payment_method, "
                "card_brand, card_last4, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'processing', 'sandbox', ?, ?, ?, ?, ?)",
                intent_id, order->id, ctx.user_id(), order->total.amount, order->total.currency, token, brand, last4, at, at);
        record_outcome(tx, intent_id, outcome);
        auto intent = *load_in(tx, intent_id);
        tx.reply(api::write_value(intent));
        return intent;
    });
}

void PaymentService::record_outcome(db::Tx& tx, const std::string& intent_id, const domain::SandboxOutcome& outcome) {
    auto row = tx.one("SELECT status, order_id, amount, currency, card_brand, card_last4 FROM payment.intents WHERE id = ?", intent_id);
    if (!row) throw std::runtime_error("settling unknown payment " + intent_id);
    if (row->str(0) != "processing") return;  // settled already
    std::string order_id = row->str(1), currency = row->str(3), brand = row->str(4), last4 = row->str(5);
    std::int64_t amount = row->i64(2);
    std::string at = now_iso8601();
    tx.exec("UPDATE payment.intents SET status = ?, failure_code = ?, failure_message = ?, updated_at = ? WHERE id = ?", outcome.status,
            outcome.failure_code, outcome.message, at, intent_id);
    tx.exec("INSERT INTO payment.attempts (id, intent_id, outcome, failure_code, created_at) VALUES (?, ?, ?, ?, ?)", new_id("att"),
            intent_id, outcome.status, outcome.failure_code, at);
    if (outcome.status == "succeeded")
        tx.publish(events::PaymentAuthorized{intent_id, order_id, amount, currency, "sandbox", brand, last4, true});
    else if (outcome.status == "failed")
        tx.publish(events::PaymentFailed{intent_id, order_id, outcome.failure_code, outcome.message});
}

int PaymentService::recover_processing() {
    std::vector<std::pair<std::string, std::string>> stuck;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT id, payment_method FROM payment.intents WHERE status = 'processing'")) {
            auto card = domain::open_sandbox_token(row.str(1), sandbox_key());
            stuck.emplace_back(row.str(0), card ? card->outcome : "card_declined");
        }
    });
    for (auto& [id, outcome] : stuck) {
        auto decided = domain::sandbox_outcome(outcome);
        db_.write("payment", Ctx::system("payment.recovery:" + id), [&](db::Tx& tx) { record_outcome(tx, id, decided); });
        log_.warn("settled a payment left processing by a crash", {{"payment_id", id}});
    }
    return static_cast<int>(stuck.size());
}

void PaymentService::refund_order_in(db::Tx& tx, const std::string& order_id, const std::string& reason) {
    std::vector<std::string> ids;
    for (auto& r : tx.query("SELECT id FROM payment.intents WHERE order_id = ? AND status = 'succeeded'", order_id)) ids.push_back(r.str(0));
    for (auto& id : ids) refund_in(tx, id, reason);
}

void PaymentService::refund_in(db::Tx& tx, const std::string& payment_id, const std::string& reason) {
    auto row = tx.one("SELECT status, order_id, currency, amount, amount_refunded FROM payment.intents WHERE id = ?", payment_id);
    if (!row) throw std::runtime_error("refund requested for unknown payment " + payment_id);
    std::string status = row->str(0), order_id = row->str(1), currency = row->str(2);
    std::int64_t amount = row->i64(3), refunded = row->i64(4);
    if (status != "succeeded" || refunded >= amount) return;  // nothing (more) was taken
    std::int64_t due = amount - refunded;
    // The sandbox refunds instantly; a real provider adapter would call out here, keyed by refund id.
    std::string id = new_id("ref"), at = now_iso8601();
    tx.exec("INSERT INTO payment.refunds (id, intent_id, amount, reason, status, created_at) VALUES (?, ?, ?, ?, 'succeeded', ?)", id,
            payment_id, due, reason, at);
    tx.exec("UPDATE payment.intents SET amount_refunded = amount, updated_at = ? WHERE id = ?", at, payment_id);
    tx.publish(events::PaymentRefunded{payment_id, id, order_id, due, currency, reason});
    log_.info("payment refunded", {{"payment_id", payment_id}, {"refund_id", id}, {"amount", due}, {"reason", reason}});
}

void PaymentService::collect_metrics(std::string& out) {
    out += "# HELP shop_payments Payment intents by provider and status.\n# TYPE shop_payments gauge\n";
    std::string refunds;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT provider, status, COUNT(*) FROM payment.intents GROUP BY provider, status ORDER BY provider, status"))
            out += fmt::format("shop_payments{{provider=\"{}\",status=\"{}\"}} {}\n", row.str(0), row.str(1), row.i64(2));
        for (auto& row : r.query("SELECT status, COUNT(*) FROM payment.refunds GROUP BY status ORDER BY status"))
            refunds += fmt::format("shop_refunds{{status=\"{}\"}} {}\n", row.str(0), row.i64(1));
    });
    out += "# HELP shop_refunds Refunds by status.\n# TYPE shop_refunds gauge\n" + refunds;
}

Result<Payment> PaymentService::get(const Ctx& ctx, std::string_view payment_id, std::string_view cart_token) {
    auto p = load(std::string(payment_id));
    if (!p) return not_found(fmt::format("no payment {}", payment_id));
    auto order = ordering_.order_for_payment(ctx, p->order_id.value, cart_token);
    if (!order) return not_found(fmt::format("no payment {}", payment_id));
    return std::move(*p);
}

Result<PaymentList> PaymentService::list_for_order(const Ctx& ctx, std::string_view order_id_in, std::string_view cart_token) {
    auto order = ordering_.order_for_payment(ctx, order_id_in, cart_token);
    if (!order) return order.error();
    PaymentList out;
    std::string order_id(order_id_in);
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query(std::string(kIntentColumns) + "WHERE order_id = ? ORDER BY id", order_id)) out.data.push_back(intent_from_row(row));
    });
    return out;
}

}  // namespace shop::payment
