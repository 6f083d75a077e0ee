// Admin user management: the user list with search, role changes and disabling.
#include <cctype>

#include "platform/audit.hpp"
#include "identity_service.hpp"
#include "platform/db.hpp"

namespace shop::identity {

namespace {
const char* kAdminUserColumns = "SELECT id, email, name, role, created_at, email_verified, disabled FROM identity.users ";

AdminUser admin_user_from_row(const db::Row& r) {
    AdminUser a;
    a.user = {r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), r.boolean(5)};
    a.disabled = r.boolean(6);
    return a;
}

/// `q` lower-cased as a LIKE pattern matching it anywhere, its own % _ and \ escaped.
std::string contains_pattern(std::string_view q) {
    std::string p = "%";
    for (char c : q) {
        if (c == '%' || c == '_' || c == '\\') p += '\\';
        p += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return p + "%";
}
}  // namespace

Result<UserPage> IdentityService::list_users(std::string_view q, std::string_view role, std::string_view after, int limit) {
    std::string pattern = contains_pattern(q), role_filter(role), cursor = after.empty() ? "~" : std::string(after);
    UserPage page;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query(std::string(kAdminUserColumns) +
                                     "WHERE id < ? AND (LOWER(email) LIKE ? ESCAPE '\\' OR LOWER(name) LIKE ? ESCAPE '\\') "
                                     "AND (? = '' OR role = ?) ORDER BY id DESC LIMIT ?",
                                 cursor, pattern, pattern, role_filter, role_filter, limit + 1))
            page.data.push_back(admin_user_from_row(row));
    });
    if (static_cast<int>(page.data.size()) > limit) {
        page.data.pop_back();
        page.next_cursor = page.data.back().user.id;
    }
    return page;
}

Result<AdminUser> IdentityService::update_user(const Ctx& ctx, std::string_view user_id, const UserPatch& patch) {
    std::string id(user_id);
    if (id == ctx.user_id() && ((patch.role && *patch.role != "admin") || (patch.disabled && *patch.disabled)))
        return Error(errc::conflict, "an admin cannot demote or disable its own account (another admin can)",
                     {{patch.role && *patch.role != "admin" ? "role" : "disabled", "cannot be changed on your own account"}});
    auto r = db_.write("identity", ctx, [&](db::Tx& tx) -> Result<AdminUser> {
        auto row = tx.one(std::string(kAdminUserColumns) + "WHERE id = ?", id);
        if (!row) return not_found("no user " + id);
        std::string at = now_iso8601();
        if (patch.role) tx.exec("UPDATE identity.users SET role = ?, updated_at = ? WHERE id = ?", *patch.role, at, id);
        if (patch.disabled) {
            tx.exec("UPDATE identity.users SET disabled = ?, updated_at = ? WHERE id = ?", *patch.disabled, at, id);
            // Enabling again does not bring the old sessions back: the user signs in anew.
            if (*patch.disabled) revoke_user_sessions(tx, id);
        }
        boost::json::object changes;
        if (patch.role) {
            changes["role"] = *patch.role;
            changes["previous_role"] = row->str(3);
        }
        if (patch.disabled) changes["disabled"] = *patch.disabled;
        audit::record(tx, "identity.user.updated", id, std::move(changes));
        return admin_user_from_row(*tx.one(std::string(kAdminUserColumns) + "WHERE id = ?", id));
    });
    // A new role or a disabled account applies to access tokens from the next request on.
    forget_sessions();
    return r;
}

}  // namespace shop::identity
