// Sessions: a refresh-token family and the access tokens issued in it. Verification asks whether
// a token's session still stands; the answer is cached for auth.session_check_ms so the hot path
// costs a map lookup, and a revocation on this instance empties the cache at once.
#include "platform/audit.hpp"
#include "identity_service.hpp"
#include "platform/db.hpp"

namespace shop::identity {

namespace {
// Past this many cached sessions, entries older than a check interval are dropped.
constexpr std::size_t kSessionCacheLimit = 100000;
}  // namespace

IdentityService::SessionState IdentityService::session_state(const std::string& sid, const std::string& user_id) const {
    std::int64_t now = now_ms();
    {
        std::shared_lock lock(sessions_mu_);
        auto it = session_cache_.find(sid);
        if (it != session_cache_.end() && now - it->second.checked_ms < session_check_ms_)
            return it->second.user_id == user_id ? it->second : SessionState{};
    }
    std::uint64_t epoch = sessions_epoch_.load();
    auto row = db_.read([&](db::Reader& r) {
        return r.one("SELECT s.user_id, s.revoked, u.disabled, u.role FROM identity.sessions s JOIN identity.users u ON u.id = s.user_id "
                     "WHERE s.id = ?",
                     sid);
    });
    SessionState state;
    state.checked_ms = now;
    if (row) {
        state.user_id = row->str(0);
        state.active = !row->boolean(1) && !row->boolean(2);
        state.role = row->str(3);
    }
    {
        std::unique_lock lock(sessions_mu_);
        if (sessions_epoch_.load() == epoch) {
            if (session_cache_.size() >= kSessionCacheLimit)
                std::erase_if(session_cache_, [&](auto& kv) { return now - kv.second.checked_ms >= session_check_ms_; });
            session_cache_[sid] = state;
        }
    }
    return state.user_id == user_id ? state : SessionState{};
}

void IdentityService::revoke_session(db::Sql& sql, const std::string& family_id) {
    sql.exec("UPDATE identity.refresh_tokens SET revoked = 1 WHERE family_id = ?", family_id);
    sql.exec("UPDATE identity.sessions SET revoked = 1 WHERE id = ?", family_id);
}

void IdentityService::revoke_user_sessions(db::Sql& sql, const std::string& user_id) {
    sql.exec("UPDATE identity.refresh_tokens SET revoked = 1 WHERE user_id = ?", user_id);
    sql.exec("UPDATE identity.sessions SET revoked = 1 WHERE user_id = ?", user_id);
}

void IdentityService::forget_sessions() const {
    std::unique_lock lock(sessions_mu_);
    ++sessions_epoch_;
    session_cache_.clear();
    api_key_cache_.clear();
}

Result<SessionPage> IdentityService::list_sessions(const Ctx& ctx, std::string_view after, int limit) {
    std::string cursor = after.empty() ? "~" : std::string(after);
    SessionPage page;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT s.id, s.user_agent, s.client_address, s.created_at, s.last_used_at FROM identity.sessions s "
                                 "WHERE s.user_id = ? AND s.revoked = 0 AND s.id < ? AND EXISTS (SELECT 1 FROM identity.refresh_tokens t "
                                 "WHERE t.family_id = s.id AND t.used = 0 AND t.revoked = 0 AND t.expires_ms > ?) ORDER BY s.id DESC LIMIT ?",
                                 ctx.user_id(), cursor, now_ms(), limit + 1))
            page.data.push_back({row.str(0), row.str(1), row.str(2), row.str(3), row.str(4)});
    });
    if (static_cast<int>(page.data.size()) > limit) {
        page.data.pop_back();
        page.next_cursor = page.data.back().id;
    }
    return page;
}

Result<void> IdentityService::revoke_own_session(const Ctx& ctx, std::string_view session_id) {
    std::string id(session_id);
    auto r = db_.write("identity", ctx, [&](db::Tx& tx) -> Result<void> {
        // Another user's session answers as an unknown one.
        if (!tx.count("SELECT COUNT(*) FROM identity.sessions WHERE id = ? AND user_id = ? AND revoked = 0", id, ctx.user_id()))
            return not_found("no session " + id);
        revoke_session(tx, id);
        audit::record(tx, "identity.session.revoked", id);
        return {};
    });
    forget_sessions();
    return r;
}

}  // namespace shop::identity
