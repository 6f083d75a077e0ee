#include "payment_service.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <ctime>

#include "domain/cards.hpp"
#include "payment/errors.hpp"
#include "payment/events.hpp"
#include "platform/db.hpp"
#include "platform/json_input.hpp"

namespace shop::payment {
namespace json = boost::json;

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

json::object intent_from_row(const soci::row& r) {
    std::string currency = db::col_str(r, 3), status = db::col_str(r, 4);
    json::object o{{"id", db::col_str(r, 0)},
                   {"order_id", db::col_str(r, 1)},
                   {"amount", json::object{{"amount", db::col_int(r, 2)}, {"currency", currency}}},
                   {"status", status},
                   {"provider", db::col_str(r, 5)},
                   {"card", json::object{{"brand", db::col_str(r, 6)}, {"last4", db::col_str(r, 7)}}},
                   {"amount_refunded", json::object{{"amount", db::col_int(r, 13)}, {"currency", currency}}},
                   {"created_at", db::col_str(r, 10)},
                   {"updated_at", db::col_str(r, 11)}};
    if (status == "failed") {
        o["failure_code"] = db::col_str(r, 8);
        o["failure_message"] = db::col_str(r, 9);
    }
    if (status == "requires_action") o["next_action"] = json::object{{"type", "redirect_to_url"}};
    return o;
}

}  // namespace

const ErrorCategory& payment_category() noexcept {
    static const PaymentCategory kCategory;
    return kCategory;
}

std::optional<json::object> PaymentService::load(const std::string& id) {
    std::optional<json::object> out;
    db_.read([&](soci::session& s) {
        soci::rowset<soci::row> rs = (s.prepare << std::string(kIntentColumns) + "WHERE id = :id", soci::use(id));
        for (auto& r : rs) out = intent_from_row(r);
    });
    return out;
}

std::vector<PaymentSummary> PaymentService::payments_of_order(std::string_view order_id_in) {
    std::vector<PaymentSummary> out;
    std::string order_id(order_id_in);
    db_.read([&](soci::session& s) {
        soci::rowset<soci::row> rs = (s.prepare << "SELECT id, order_id, status, amount, currency FROM payment.intents "
                                                   "WHERE order_id = :o ORDER BY id", soci::use(order_id));
        for (auto& r : rs)
            out.push_back({db::col_str(r, 0), db::col_str(r, 1), db::col_str(r, 2), Money{db::col_int(r, 3), db::col_str(r, 4)}});
    });
    return out;
}

Result<json::object> PaymentService::create_sandbox_token(const Ctx& ctx, const NewCardToken& card) {
    std::vector<FieldError> errors;
    auto digits = domain::card_digits(card.number);
    if (!digits || !domain::luhn_valid(*digits)) errors.push_back({"number", "is not a valid card number"});
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    int year = tm.tm_year + 1900, month = tm.tm_mon + 1;
    if (card.exp_month < 1 || card.exp_month > 12) errors.push_back({"exp_month", "must be between 1 and 12"});
    else if (card.exp_year < year || (card.exp_year == year && card.exp_month < month))
        errors.push_back({"exp_year", "the card has expired"});
    if (card.cvc.size() < 3 || card.cvc.size() > 4 ||
        card.cvc.find_first_not_of("0123456789") != std::string::npos)
        errors.push_back({"cvc", "must be 3 or 4 digits"});
    if (!errors.empty()) return validation_error(std::move(errors));
    std::string token = new_id("tok"), brand = domain::card_brand(*digits), last4 = digits->substr(digits->size() - 4);
    std::string outcome = domain::sandbox_outcome_key(*digits), at = now_iso8601();
    db_.write("payment", ctx, [&](db::Tx& tx) {
        tx.sql() << "INSERT INTO payment.sandbox_tokens (token, brand, last4, exp_month, exp_year, outcome, created_at) "
                    "VALUES (:t, :b, :l, :m, :y, :o, :a)",
            soci::use(token), soci::use(brand), soci::use(last4), soci::use(card.exp_month), soci::use(card.exp_year),
            soci::use(outcome), soci::use(at);
    });
    return json::object{{"token", token}, {"brand", brand}, {"last4", last4}, {"exp_month", card.exp_month}, {"exp_year", card.exp_year}};
}

Result<json::object> PaymentService::pay(const Ctx& ctx, std::string_view order_id, const std::string& token,
                                         std::string_view cart_token) {
    auto order = ordering_.order_for_payment(ctx, order_id, cart_token);
    if (!order) return Error(order.error().ec, order.error().detail, {{"order_id", "is not an order of yours"}});
    if (order->status != "pending_payment")
        return Error(order->status == "confirmed" ? errc::order_already_paid : errc::order_not_payable,
                     fmt::format("order {} is {}, not awaiting payment", order->id, order->status));
    if (now_ms() > order->payable_until_ms)
        return Error(errc::order_not_payable, fmt::format("the payment window of order {} has closed", order->id));
    std::string brand, last4, outcome;
    soci::indicator ind = soci::i_null;
    db_.read([&](soci::session& s) {
        s << "SELECT brand, last4, outcome FROM payment.sandbox_tokens WHERE token = :t", soci::into(brand, ind), soci::into(last4),
            soci::into(outcome), soci::use(token);
    });
    if (ind != soci::i_ok) return validation("payment_method", "is not a payment method token");

    std::string intent_id = new_id("pay");
    auto started = db_.write("payment", ctx, [&](db::Tx& tx) -> Result<void> {
        std::string live;
        soci::indicator live_ind = soci::i_null;
        tx.sql() << "SELECT status FROM payment.intents WHERE order_id = :o AND status IN ('processing', 'requires_capture', 'succeeded')",
            soci::into(live, live_ind), soci::use(order->id);
        if (live_ind == soci::i_ok) {
            if (live == "processing") return Error(errc::payment_in_progress, "a payment for this order is being processed");
            return Error(errc::order_already_paid, fmt::format("order {} is already paid", order->id));
        }
        std::string status = "processing", provider = "sandbox", at = now_iso8601(), customer = ctx.user_id();
        tx.sql() << "INSERT INTO payment.intents (id, order_id, customer_id, amount, currency, status, provider, payment_method, "
                    "card_brand, card_last4, created_at, updated_at) VALUES (:id, :o, :c, :a, :cur, :st, :p, :pm, :b, :l, :ca, :ua)",
            soci::use(intent_id), soci::use(order->id), soci::use(customer), soci::use(order->total.amount),
            soci::use(order->total.currency), soci::use(status), soci::use(provider), soci::use(token), soci::use(brand),
            soci::use(last4), soci::use(at), soci::use(at);
        return {};
    });
    if (!started) return started.error();
    // The provider call happens between the two transactions; a crash here leaves the intent
    // `processing`, and recover_processing() settles it on the next start.
    settle(ctx, intent_id, outcome);
    return *load(intent_id);
}

void PaymentService::settle(const Ctx& ctx, const std::string& intent_id, const std::string& outcome_key) {
    auto outcome = domain::sandbox_outcome(outcome_key);
    db_.write("payment", ctx, [&](db::Tx& tx) {
        std::string status, order_id, currency, brand, last4;
        long long amount = 0;
        tx.sql() << "SELECT status, order_id, amount, currency, card_brand, card_last4 FROM payment.intents WHERE id = :id",
            soci::into(status), soci::into(order_id), soci::into(amount), soci::into(currency), soci::into(brand),
            soci::into(last4), soci::use(intent_id);
        if (status != "processing") return;  // settled already
        std::string at = now_iso8601();
        tx.sql() << "UPDATE payment.intents SET status = :st, failure_code = :fc, failure_message = :fm, updated_at = :u WHERE id = :id",
            soci::use(outcome.status), soci::use(outcome.failure_code), soci::use(outcome.message), soci::use(at),
            soci::use(intent_id);
        std::string attempt = new_id("att");
        tx.sql() << "INSERT INTO payment.attempts (id, intent_id, outcome, failure_code, created_at) VALUES (:id, :i, :o, :f, :a)",
            soci::use(attempt), soci::use(intent_id), soci::use(outcome.status), soci::use(outcome.failure_code), soci::use(at);
        if (outcome.status == "succeeded")
            tx.publish(events::PaymentAuthorized{intent_id, order_id, amount, currency, "sandbox", brand, last4, true});
        else if (outcome.status == "failed")
            tx.publish(events::PaymentFailed{intent_id, order_id, outcome.failure_code, outcome.message});
    });
}

int PaymentService::recover_processing() {
    std::vector<std::pair<std::string, std::string>> stuck;
    db_.read([&](soci::session& s) {
        soci::rowset<soci::row> rs = (s.prepare << "SELECT i.id, COALESCE(t.outcome, 'card_declined') FROM payment.intents i "
                                                   "LEFT JOIN payment.sandbox_tokens t ON t.token = i.payment_method "
                                                   "WHERE i.status = 'processing'");
        for (auto& r : rs) stuck.emplace_back(db::col_str(r, 0), db::col_str(r, 1));
    });
    for (auto& [id, outcome] : stuck) {
        settle(Ctx::system("payment.recovery:" + id), id, outcome);
        log_.warn("settled a payment left processing by a crash", {{"payment_id", id}});
    }
    return static_cast<int>(stuck.size());
}

void PaymentService::refund_in(db::Tx& tx, const std::string& payment_id, const std::string& reason) {
    auto& s = tx.sql();
    std::string status, order_id, currency;
    long long amount = 0, refunded = 0;
    soci::indicator ind = soci::i_null;
    s << "SELECT status, order_id, currency, amount, amount_refunded FROM payment.intents WHERE id = :id", soci::into(status, ind),
        soci::into(order_id), soci::into(currency), soci::into(amount), soci::into(refunded), soci::use(payment_id);
    if (ind != soci::i_ok) throw std::runtime_error("refund requested for unknown payment " + payment_id);
    if (status != "succeeded" || refunded >= amount) return;  // nothing (more) was taken
    long long due = amount - refunded;
    // The sandbox refunds instantly; a real provider adapter would call out here, keyed by refund id.
    std::string id = new_id("ref"), ok = "succeeded", at = now_iso8601();
    s << "INSERT INTO payment.refunds (id, intent_id, amount, reason, status, created_at) VALUES (:id, :i, :a, :r, :s, :c)",
        soci::use(id), soci::use(payment_id), soci::use(due), soci::use(reason), soci::use(ok), soci::use(at);
    s << "UPDATE payment.intents SET amount_refunded = amount, updated_at = :u WHERE id = :id", soci::use(at), soci::use(payment_id);
    tx.publish(events::PaymentRefunded{payment_id, id, order_id, due, currency, reason});
    log_.info("payment refunded", {{"payment_id", payment_id}, {"refund_id", id}, {"amount", due}, {"reason", reason}});
}

Result<json::object> PaymentService::get(const Ctx& ctx, std::string_view payment_id, std::string_view cart_token) {
    auto p = load(std::string(payment_id));
    if (!p) return not_found(fmt::format("no payment {}", payment_id));
    auto order = ordering_.order_for_payment(ctx, p->at("order_id").as_string(), cart_token);
    if (!order) return not_found(fmt::format("no payment {}", payment_id));
    return *p;
}

Result<json::array> PaymentService::list_for_order(const Ctx& ctx, std::string_view order_id_in, std::string_view cart_token) {
    auto order = ordering_.order_for_payment(ctx, order_id_in, cart_token);
    if (!order) return order.error();
    json::array out;
    std::string order_id(order_id_in);
    db_.read([&](soci::session& s) {
        soci::rowset<soci::row> rs = (s.prepare << std::string(kIntentColumns) + "WHERE order_id = :o ORDER BY id", soci::use(order_id));
        for (auto& r : rs) out.push_back(intent_from_row(r));
    });
    return out;
}

}  // namespace shop::payment
