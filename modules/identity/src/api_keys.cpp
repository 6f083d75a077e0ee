// API keys: created by their owner, shown once, stored as SHA-256, limited to their scopes.
#include <algorithm>
#include <sstream>

#include "platform/audit.hpp"
#include "identity_service.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"

namespace shop::identity {

namespace {
constexpr int kMaxKeysPerUser = 25;
constexpr std::int64_t kLastUseResolutionMs = 60 * 1000;  // last_used_at is written at most once a minute per key

std::vector<std::string> split_scopes(const std::string& stored) {
    std::vector<std::string> out;
    std::istringstream in(stored);
    for (std::string s; in >> s;) out.push_back(s);
    return out;
}

ApiKey api_key_from_row(const db::Row& r) {
    return {r.str(0), r.str(1), split_scopes(r.str(2)), r.str(3), r.str(4), r.str(5)};
}
}  // namespace

const std::vector<std::string>& IdentityService::api_key_scopes() {
    static const std::vector<std::string> kScopes{"catalog:read",  "catalog:write",  "inventory:read", "inventory:write",
                                                  "orders:read",   "orders:write",   "carts:read",     "carts:write",
                                                  "payments:read", "payments:write", "notifications:read", "notifications:write"};
    return kScopes;
}

Result<NewApiKey> IdentityService::create_api_key(const Ctx& ctx, std::string_view name, const std::vector<std::string>& scopes_in) {
    std::vector<std::string> scopes = scopes_in;
    std::sort(scopes.begin(), scopes.end());
    scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
    for (std::size_t i = 0; i < scopes_in.size(); ++i)
        if (std::find(api_key_scopes().begin(), api_key_scopes().end(), scopes_in[i]) == api_key_scopes().end())
            return validation("scopes[" + std::to_string(i) + "]", "is not a scope an API key may hold");
    std::string joined;
    for (auto& s : scopes) joined += (joined.empty() ? "" : " ") + s;
    NewApiKey made;
    made.key.id = new_id("key");
    made.key.name = std::string(name);
    made.key.scopes = scopes;
    made.key.prefix = std::string(kApiKeyPrefix) + crypto::random_token(6);  // 8 characters after shk_
    made.key.created_at = now_iso8601();
    made.secret = made.key.prefix + "_" + crypto::random_token(32);
    return db_.write("identity", ctx, [&](db::Tx& tx) -> Result<NewApiKey> {
        if (tx.count("SELECT COUNT(*) FROM identity.api_keys WHERE user_id = ?", ctx.user_id()) >= kMaxKeysPerUser)
            return Error(errc::conflict, "an account holds at most " + std::to_string(kMaxKeysPerUser) + " API keys; delete one first");
        tx.exec("INSERT INTO identity.api_keys (id, user_id, name, scopes, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                made.key.id, ctx.user_id(), made.key.name, joined, made.key.prefix, crypto::sha256_hex(made.secret), made.key.created_at);
        audit::record(tx, "identity.api_key.created", made.key.id, {{"name", made.key.name}, {"scopes", joined}, {"prefix", made.key.prefix}});
        return made;
    });
}

Result<ApiKeyPage> IdentityService::list_api_keys(const Ctx& ctx, std::string_view after, int limit) {
    std::string cursor = after.empty() ? "~" : std::string(after);
    ApiKeyPage page;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT id, name, scopes, prefix, created_at, last_used_at FROM identity.api_keys WHERE user_id = ? AND id < ? "
                                 "ORDER BY id DESC LIMIT ?",
                                 ctx.user_id(), cursor, limit + 1))
            page.data.push_back(api_key_from_row(row));
    });
    if (static_cast<int>(page.data.size()) > limit) {
        page.data.pop_back();
        page.next_cursor = page.data.back().id;
    }
    return page;
}

Result<void> IdentityService::delete_api_key(const Ctx& ctx, std::string_view key_id) {
    std::string id(key_id);
    auto r = db_.write("identity", ctx, [&](db::Tx& tx) -> Result<void> {
        // Another user's key answers as an unknown one.
        if (tx.exec("DELETE FROM identity.api_keys WHERE id = ? AND user_id = ?", id, ctx.user_id()) == 0) return not_found("no API key " + id);
        audit::record(tx, "identity.api_key.deleted", id);
        return {};
    });
    forget_sessions();
    return r;
}

std::optional<Principal> IdentityService::verify_api_key(std::string_view key) const {
    std::string hash = crypto::sha256_hex(key);
    std::int64_t now = now_ms();
    {
        std::shared_lock lock(sessions_mu_);
        auto it = api_key_cache_.find(hash);
        if (it != api_key_cache_.end() && now - it->second.checked_ms < session_check_ms_) return it->second.principal;
    }
    std::uint64_t epoch = sessions_epoch_.load();
    auto row = db_.read([&](db::Reader& r) {
        return r.one("SELECT k.id, k.user_id, k.scopes, k.last_used_ms, u.role, u.email, u.disabled FROM identity.api_keys k "
                     "JOIN identity.users u ON u.id = k.user_id WHERE k.key_hash = ?",
                     hash);
    });
    ApiKeyState state;
    state.checked_ms = now;
    if (row && !row->boolean(6)) {
        Principal p;
        p.user_id = row->str(1);
        p.role = row->str(4);
        p.email = row->str(5);
        p.scopes = split_scopes(row->str(2));
        p.by_api_key = true;
        p.api_key_id = row->str(0);
        state.principal = std::move(p);
        if (now - row->i64(3) >= kLastUseResolutionMs) {
            try {
                Ctx ctx = Ctx::system("identity.api_key_used");
                db_.write("identity", ctx, [&](db::Tx& tx) {
                    tx.exec("UPDATE identity.api_keys SET last_used_at = ?, last_used_ms = ? WHERE id = ?", now_iso8601(), now, row->str(0));
                });
            } catch (const std::exception& e) {
                // The key still works; only the time of its last use is late.
                log_.warn("could not record an API key's last use", {{"error", e.what()}});
            }
        }
    }
    {
        std::unique_lock lock(sessions_mu_);
        if (sessions_epoch_.load() == epoch) {
            if (api_key_cache_.size() >= 100000)
                std::erase_if(api_key_cache_, [&](auto& kv) { return now - kv.second.checked_ms >= session_check_ms_; });
            api_key_cache_[hash] = state;
        }
    }
    return state.principal;
}

}  // namespace shop::identity
