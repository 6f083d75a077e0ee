#pragma once
// The audit log: who did what to what, when, from which address, in which request.
//
// A module writes an entry with one call, inside the transaction of the change it records:
//
//     audit::record(tx, "catalog.product.updated", product_id, {{"fields", changed}});
//
// The entry lands in the module's own schema (`<schema>.audit_log`, a kernel table created for
// every schema like the outbox), so it exists exactly when the change does and the module stays
// liftable with its history. The actor (user, API key, system), the client address and the
// correlation id come from the transaction's Ctx. The platform reads every schema's table for
// GET /api/v1/admin/audit-log.
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/context.hpp"

namespace shop::db {
class Database;
class Tx;
}  // namespace shop::db

namespace shop::audit {

/// Who acted.
struct Actor {
    std::string type;  ///< `user`, `api_key`, `system` or `anonymous`
    std::string id;    ///< the user id, the API key id, or the name of the system work; "" when anonymous
    /// A user acting before the request carries their principal (a login).
    static Actor user(std::string user_id) { return {"user", std::move(user_id)}; }
};

/// The actor of `ctx`: its API key when it authenticated with one, else its user; `anonymous` for
/// a request without credentials; `system` for background work (named by its principal, if any).
Actor actor_of(const Ctx& ctx);

/// Whether `action` is a well-formed action: at least two dot-separated words of lower-case
/// letters, digits and '_' (not first): `identity.login.failed`, `identity.2fa.enabled`.
bool valid_action(std::string_view action) noexcept;
/// Whether `prefix` is one or more such words (`identity`, `identity.login`): an action filter.
bool valid_action_prefix(std::string_view prefix) noexcept;

/// Writes an audit entry in `tx`'s schema, in `tx`: the actor of tx.ctx(), `action` (its first
/// word must be the schema: `catalog.` entries are written by catalog), `target` (the id or key of
/// what was acted on, "" for none) and `details` (never secrets). Throws std::logic_error for a
/// malformed action or one of another schema: a bug in the caller.
void record(db::Tx& tx, std::string_view action, std::string_view target, boost::json::object details = {});
/// The same with the actor given.
void record(db::Tx& tx, const Actor& actor, std::string_view action, std::string_view target, boost::json::object details = {});
/// An entry that is the only change (a failed login): its own transaction on `schema`.
void record(db::Database& db, std::string_view schema, const Ctx& ctx, const Actor& actor, std::string_view action,
            std::string_view target, boost::json::object details = {});

/// One entry as read back.
struct Entry {
    std::string id;  ///< aud_..., time-ordered
    std::string at;
    Actor actor;
    std::string action;
    std::string target;
    boost::json::object details;
    std::string client_address;
    std::string correlation_id;
    std::string schema;  ///< the module that wrote it
};

struct Query {
    std::string actor;          ///< a user or API key id, or `system` / `anonymous`; "" for all
    std::string action_prefix;  ///< whole words: `identity.login` matches `identity.login.failed`; "" for all
    std::optional<std::int64_t> from_ms;  ///< at or after (epoch ms)
    std::optional<std::int64_t> to_ms;    ///< before
    std::string before_id;      ///< the cursor: entries older than this id; "" from the newest
    int limit = 20;
};

struct Page {
    std::vector<Entry> entries;  ///< newest first
    bool more = false;           ///< older entries match too (the next page starts after the last)
};

/// The entries of every schema in `schemas` matching `q`, merged newest first (by id, which is
/// time-ordered). A prefix whose first word is one of `schemas` reads that schema only.
Page read(db::Database& db, const std::vector<std::string>& schemas, const Query& q);

}  // namespace shop::audit
