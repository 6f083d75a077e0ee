#include "sandbox_provider.hpp"

#include <fmt/format.h>

#include "domain/cards.hpp"
#include "payment/errors.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "platform/ids.hpp"

namespace shop::payment {

namespace {

const char* kChargeColumns =
    "SELECT id, status, amount_captured, amount_refunded, failure_code, failure_message, amount, capture_method "
    "FROM payment.sandbox_charges ";

ProviderCharge charge_of(const db::Row& r) {
    return {r.str(0), r.str(1), r.i64(2), r.i64(3), r.str(4), r.str(5)};
}

Ctx sandbox_ctx(std::string_view what, std::string_view key) { return Ctx::system(fmt::format("sandbox.{}:{}", what, key)); }

}  // namespace

bool SandboxProvider::recognizes(std::string_view payment_method) const { return payment_method.substr(0, 4) == "tok_"; }

const std::string& SandboxProvider::key() {
    std::call_once(key_once_, [this] {
        Ctx ctx = Ctx::system("payment.sandbox_key");
        key_ = db_.write("payment", ctx, [&](db::Tx& tx) {
            if (auto row = tx.one("SELECT key FROM payment.sandbox_key WHERE id = 1")) return row->str(0);
            // Instances starting together: the first insert wins; a later one finds the row taken
            // (on PostgreSQL its transaction is run again and reads the winner's key above).
            tx.exec("INSERT INTO payment.sandbox_key (id, key) VALUES (1, ?) ON CONFLICT (id) DO NOTHING", crypto::random_token(32));
            return tx.one("SELECT key FROM payment.sandbox_key WHERE id = 1")->str(0);
        });
    });
    return key_;
}

Result<ProviderCharge> SandboxProvider::authorize(const AuthorizeRequest& req) {
    auto card = domain::open_sandbox_token(req.payment_method, key());
    if (!card) return validation("payment_method", "is not a payment method token");
    auto outcome = domain::sandbox_outcome(card->outcome);
    std::string status = outcome.status;
    if (status == "succeeded" && !req.capture) status = "requires_capture";
    return db_.write("payment", sandbox_ctx("authorize", req.idempotency_key), [&](db::Tx& tx) -> Result<ProviderCharge> {
        // The same key again (a retry after a crash): the first call's charge, nothing new.
        if (auto r = tx.one(std::string(kChargeColumns) + "WHERE idempotency_key = ?", req.idempotency_key)) return charge_of(*r);
        std::string id = new_id("sbx"), at = now_iso8601();
        std::int64_t captured = status == "succeeded" ? req.amount : 0;
        tx.exec("INSERT INTO payment.sandbox_charges (id, idempotency_key, amount, currency, capture_method, status, amount_captured, "
                "failure_code, failure_message, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id, req.idempotency_key, req.amount, req.currency, std::string(req.capture ? "automatic" : "manual"), status, captured,
                outcome.failure_code, status == "failed" ? outcome.message : "", at, at);
        if (captured > 0)
            tx.exec("INSERT INTO payment.sandbox_operations (idempotency_key, charge_id, kind, amount, status, created_at) "
                    "VALUES (?, ?, 'capture', ?, 'succeeded', ?)",
                    req.idempotency_key, id, captured, at);
        return charge_of(*tx.one(std::string(kChargeColumns) + "WHERE id = ?", id));
    });
}

Result<ProviderCharge> SandboxProvider::complete_authentication(const std::string& ref, bool succeed) {
    return db_.write("payment", sandbox_ctx("3ds", ref), [&](db::Tx& tx) -> Result<ProviderCharge> {
        auto r = tx.one(std::string(kChargeColumns) + "WHERE id = ?", ref);
        if (!r) return not_found(fmt::format("the sandbox has no charge {}", ref));
        if (r->str(1) != "requires_action")
            return Error(errc::invalid_state, fmt::format("the charge is {}, not awaiting authentication", r->str(1)),
                         {{"result", "the payment is not awaiting authentication"}});
        std::string at = now_iso8601();
        if (!succeed) {
            tx.exec("UPDATE payment.sandbox_charges SET status = 'failed', failure_code = 'authentication_failed', "
                    "failure_message = 'The card authentication failed.', updated_at = ? WHERE id = ?",
                    at, ref);
        } else if (r->str(7) == "automatic") {
            tx.exec("UPDATE payment.sandbox_charges SET status = 'succeeded', amount_captured = amount, updated_at = ? WHERE id = ?", at, ref);
            tx.exec("INSERT INTO payment.sandbox_operations (idempotency_key, charge_id, kind, amount, status, created_at) "
                    "VALUES (?, ?, 'capture', ?, 'succeeded', ?)",
                    ref + ":3ds", ref, r->i64(6), at);
        } else {
            tx.exec("UPDATE payment.sandbox_charges SET status = 'requires_capture', updated_at = ? WHERE id = ?", at, ref);
        }
        return charge_of(*tx.one(std::string(kChargeColumns) + "WHERE id = ?", ref));
    });
}

Result<ProviderCharge> SandboxProvider::capture(const std::string& ref, std::int64_t amount, const std::string& idempotency_key) {
    return db_.write("payment", sandbox_ctx("capture", idempotency_key), [&](db::Tx& tx) -> Result<ProviderCharge> {
        // The charge row is written first, so concurrent calls on one charge run one after the other.
        if (tx.exec("UPDATE payment.sandbox_charges SET updated_at = ? WHERE id = ?", now_iso8601(), ref) == 0)
            return not_found(fmt::format("the sandbox has no charge {}", ref));
        auto r = *tx.one(std::string(kChargeColumns) + "WHERE id = ?", ref);
        if (tx.one("SELECT 1 FROM payment.sandbox_operations WHERE idempotency_key = ?", idempotency_key)) return charge_of(r);
        if (r.str(1) != "requires_capture")
            return Error(errc::invalid_state, fmt::format("the charge is {}; only an uncaptured authorization can be captured", r.str(1)));
        if (amount <= 0 || amount > r.i64(6)) return validation("amount", fmt::format("must be between 1 and the authorized {}", r.i64(6)));
        std::string at = now_iso8601();
        tx.exec("UPDATE payment.sandbox_charges SET status = 'succeeded', amount_captured = ?, updated_at = ? WHERE id = ?", amount, at, ref);
        tx.exec("INSERT INTO payment.sandbox_operations (idempotency_key, charge_id, kind, amount, status, created_at) "
                "VALUES (?, ?, 'capture', ?, 'succeeded', ?)",
                idempotency_key, ref, amount, at);
        return charge_of(*tx.one(std::string(kChargeColumns) + "WHERE id = ?", ref));
    });
}

Result<ProviderCharge> SandboxProvider::cancel(const std::string& ref, const std::string& idempotency_key) {
    return db_.write("payment", sandbox_ctx("cancel", idempotency_key), [&](db::Tx& tx) -> Result<ProviderCharge> {
        if (tx.exec("UPDATE payment.sandbox_charges SET updated_at = ? WHERE id = ?", now_iso8601(), ref) == 0)
            return not_found(fmt::format("the sandbox has no charge {}", ref));
        auto r = *tx.one(std::string(kChargeColumns) + "WHERE id = ?", ref);
        if (tx.one("SELECT 1 FROM payment.sandbox_operations WHERE idempotency_key = ?", idempotency_key)) return charge_of(r);
        if (r.str(1) != "requires_capture" && r.str(1) != "requires_action")
            return Error(errc::invalid_state, fmt::format("the charge is {}; only an uncaptured authorization can be voided", r.str(1)));
        std::string at = now_iso8601();
        tx.exec("UPDATE payment.sandbox_charges SET status = 'canceled', updated_at = ? WHERE id = ?", at, ref);
        tx.exec("INSERT INTO payment.sandbox_operations (idempotency_key, charge_id, kind, amount, status, created_at) "
                "VALUES (?, ?, 'void', 0, 'succeeded', ?)",
                idempotency_key, ref, at);
        return charge_of(*tx.one(std::string(kChargeColumns) + "WHERE id = ?", ref));
    });
}

Result<ProviderRefund> SandboxProvider::refund(const std::string& ref, std::int64_t amount, const std::string& idempotency_key) {
    return db_.write("payment", sandbox_ctx("refund", idempotency_key), [&](db::Tx& tx) -> Result<ProviderRefund> {
        if (tx.exec("UPDATE payment.sandbox_charges SET updated_at = ? WHERE id = ?", now_iso8601(), ref) == 0)
            return not_found(fmt::format("the sandbox has no charge {}", ref));
        if (auto done = tx.one("SELECT status, failure_code FROM payment.sandbox_operations WHERE idempotency_key = ?", idempotency_key))
            return ProviderRefund{done->str(0) == "succeeded", done->str(1)};
        auto r = *tx.one(std::string(kChargeColumns) + "WHERE id = ?", ref);
        std::string at = now_iso8601();
        // Like a bank: a refund beyond what is left of the capture is refused, and the refusal is on the books.
        bool fits = r.str(1) == "succeeded" && amount > 0 && r.i64(3) + amount <= r.i64(2);
        if (fits)
            tx.exec("UPDATE payment.sandbox_charges SET amount_refunded = amount_refunded + ?, updated_at = ? WHERE id = ?", amount, at, ref);
        tx.exec("INSERT INTO payment.sandbox_operations (idempotency_key, charge_id, kind, amount, status, failure_code, created_at) "
                "VALUES (?, ?, 'refund', ?, ?, ?, ?)",
                idempotency_key, ref, amount, std::string(fits ? "succeeded" : "failed"), std::string(fits ? "" : "amount_too_large"), at);
        return ProviderRefund{fits, fits ? "" : "amount_too_large"};
    });
}

Result<ProviderCharge> SandboxProvider::status(const std::string& ref) {
    auto r = db_.read([&](db::Reader& rd) { return rd.one(std::string(kChargeColumns) + "WHERE id = ?", ref); });
    if (!r) return not_found(fmt::format("the sandbox has no charge {}", ref));
    return charge_of(*r);
}

}  // namespace shop::payment
