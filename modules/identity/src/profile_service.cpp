#include "profile_service.hpp"

#include "identity/events.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <stdexcept>

#include "domain/profile.hpp"
#include "platform/audit.hpp"
#include "platform/db.hpp"
#include "platform/ids.hpp"

namespace shop::identity {

namespace {
constexpr std::int64_t kMaxAddresses = 50;
constexpr std::int64_t kMaxWishlistItems = 500;

constexpr const char* kAddressColumns =
    "id, label, name, company, line1, line2, city, region, postal_code, country, phone, default_shipping, default_billing, created_at, "
    "updated_at";

std::optional<std::string> present(std::string s) { return s.empty() ? std::nullopt : std::optional<std::string>(std::move(s)); }

AddressReply address_of(const db::Row& r) {
    AddressReply a;
    a.id.value = r.str(0);
    a.label = present(r.str(1));
    a.name = r.str(2);
    a.company = present(r.str(3));
    a.line1 = r.str(4);
    a.line2 = present(r.str(5));
    a.city = r.str(6);
    a.region = present(r.str(7));
    a.postal_code = r.str(8);
    a.country = r.str(9);
    a.phone = present(r.str(10));
    a.default_shipping = r.boolean(11);
    a.default_billing = r.boolean(12);
    a.created_at.value = r.str(13);
    a.updated_at.value = r.str(14);
    return a;
}

/// Why `phone` is not a phone number as people write one, or "".
std::string phone_problem(const std::string& phone) {
    int digits = 0;
    for (char c : phone) {
        if (c >= '0' && c <= '9') ++digits;
        else if (c != ' ' && c != '+' && c != '-' && c != '(' && c != ')' && c != '.') return "may hold only digits, spaces and + - ( ) .";
    }
    return digits >= 4 ? "" : "must hold at least 4 digits";
}

/// Writes the caller's user row first, so concurrent changes of one user's address book or
/// wishlist conflict (PostgreSQL retries the later one) and each sees the other's result.
bool lock_owner(db::Tx& tx, const std::string& user_id) {
    return tx.exec("UPDATE identity.users SET updated_at = updated_at WHERE id = ?", user_id) > 0;
}

/// Makes `id` the user's only default of `column` (default_shipping or default_billing).
void make_default(db::Tx& tx, const std::string& user_id, const std::string& id, const char* column, const std::string& now) {
    tx.exec(fmt::format("UPDATE identity.addresses SET {0} = 0, updated_at = ? WHERE user_id = ? AND {0} = 1 AND id <> ?", column), now,
            user_id, id);
    tx.exec(fmt::format("UPDATE identity.addresses SET {} = 1 WHERE id = ?", column), id);
}

template <class Page, class Make>
Page page_of(db::Database& db, const std::string& sql, const std::string& user_id, const std::string& after, int limit, Make make) {
    Page page;
    std::vector<db::Row> rows;
    db.read([&](db::Reader& r) {
        for (auto& row : r.query(sql, user_id, after.empty() ? std::string("~") : after, limit + 1)) rows.push_back(row);
    });
    bool more = static_cast<int>(rows.size()) > limit;
    if (more) rows.resize(limit);
    for (auto& row : rows) page.data.push_back(make(row));
    if (more && !rows.empty()) page.next_cursor = api::of<api::Cursor>(rows.back().str(0));
    return page;
}
}  // namespace

Result<User> ProfileService::update_profile(const Ctx& ctx, const ProfilePatch& patch) {
    std::optional<std::string> locale;
    if (patch.locale && patch.locale->value) {
        locale = domain::normalize_locale(patch.locale->value->value);
        if (!locale) return validation("locale", "is not a language tag such as en, en-US, pt-BR or zh-Hant-TW");
    }
    auto r = db_.write("identity", ctx, [&](db::Tx& tx) -> Result<void> {
        auto row = tx.one("SELECT name, locale, marketing_consent, marketing_consent_at, email FROM identity.users WHERE id = ?", ctx.user_id());
        if (!row) return not_found("no user " + ctx.user_id());
        std::string name = patch.name ? patch.name->value : row->str(0);
        std::string new_locale = patch.locale ? locale.value_or("") : row->str(1);
        bool consent = row->boolean(2);
        std::optional<std::string> consent_at = row->opt_str(3);
        std::string now = now_iso8601();
        if (patch.marketing_consent && *patch.marketing_consent != consent) {
            consent = *patch.marketing_consent;
            consent_at = consent ? std::optional<std::string>(now) : std::nullopt;
        }
        tx.exec("UPDATE identity.users SET name = ?, locale = ?, marketing_consent = ?, marketing_consent_at = ?, updated_at = ? WHERE id = ?",
                name, new_locale, consent, consent_at, now, ctx.user_id());
        boost::json::array changed;
        if (patch.name) changed.emplace_back("name");
        if (patch.locale) changed.emplace_back("locale");
        if (patch.marketing_consent) changed.emplace_back("marketing_consent");
        audit::record(tx, "identity.profile.updated", ctx.user_id(), {{"fields", changed}, {"locale", new_locale}, {"marketing_consent", consent}});
        tx.publish(events::ProfileChanged{ctx.user_id(), row->str(4), name, new_locale, consent});
        return {};
    });
    if (!r) return r.error();
    return users_.find_user(ctx.user_id());
}

AddressPage ProfileService::addresses(const Ctx& ctx, const std::string& after, int limit) {
    return page_of<AddressPage>(
        db_, fmt::format("SELECT {} FROM identity.addresses WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?", kAddressColumns),
        ctx.user_id(), after, limit, address_of);
}

Result<AddressReply> ProfileService::address(const Ctx& ctx, const std::string& id) {
    auto row = db_.read([&](db::Reader& r) {
        return r.one(fmt::format("SELECT {} FROM identity.addresses WHERE id = ? AND user_id = ?", kAddressColumns), id, ctx.user_id());
    });
    if (!row) return not_found(fmt::format("no address '{}'", id));
    return address_of(*row);
}

Result<AddressReply> ProfileService::add_address(const Ctx& ctx, const AddressRequest& in) {
    if (in.phone)
        if (auto why = phone_problem(in.phone->value); !why.empty()) return validation("phone", why);
    auto opt = [](const auto& f) { return f ? f->value : std::string(); };
    return db_.write("identity", ctx, [&](db::Tx& tx) -> Result<AddressReply> {
        if (!lock_owner(tx, ctx.user_id())) return not_found("no user " + ctx.user_id());
        std::int64_t count = tx.count("SELECT COUNT(*) FROM identity.addresses WHERE user_id = ?", ctx.user_id());
        if (count >= kMaxAddresses)
            return conflict(fmt::format("the address book is full ({} addresses): delete one first", kMaxAddresses));
        std::string id = new_id("adr"), now = now_iso8601();
        tx.exec("INSERT INTO identity.addresses (id, user_id, label, name, company, line1, line2, city, region, postal_code, country, phone, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id, ctx.user_id(), opt(in.label), in.name.value, opt(in.company), in.line1.value, opt(in.line2), in.city.value,
                opt(in.region), in.postal_code.value, in.country.value, opt(in.phone), now, now);
        // The first address is where a customer ships and bills unless they say otherwise.
        if (in.default_shipping.value_or(count == 0)) make_default(tx, ctx.user_id(), id, "default_shipping", now);
        if (in.default_billing.value_or(count == 0)) make_default(tx, ctx.user_id(), id, "default_billing", now);
        auto out = address_of(*tx.one(fmt::format("SELECT {} FROM identity.addresses WHERE id = ?", kAddressColumns), id));
        tx.reply(api::write_value(out));
        return out;
    });
}

Result<AddressReply> ProfileService::update_address(const Ctx& ctx, const std::string& id, const AddressPatch& in) {
    if (in.phone && in.phone->value)
        if (auto why = phone_problem(in.phone->value->value); !why.empty()) return validation("phone", why);
    return db_.write("identity", ctx, [&](db::Tx& tx) -> Result<AddressReply> {
        if (!lock_owner(tx, ctx.user_id())) return not_found("no user " + ctx.user_id());
        auto row = tx.one(fmt::format("SELECT {} FROM identity.addresses WHERE id = ? AND user_id = ?", kAddressColumns), id, ctx.user_id());
        if (!row) return not_found(fmt::format("no address '{}'", id));
        AddressReply a = address_of(*row);
        auto set = [](std::optional<std::string>& field, const auto& patch) {
            if (patch) field = patch->value ? std::optional<std::string>(patch->value->value) : std::nullopt;
        };
        set(a.label, in.label);
        set(a.company, in.company);
        set(a.line2, in.line2);
        set(a.region, in.region);
        set(a.phone, in.phone);
        if (in.name) a.name = in.name->value;
        if (in.line1) a.line1 = in.line1->value;
        if (in.city) a.city = in.city->value;
        if (in.postal_code) a.postal_code = in.postal_code->value;
        if (in.country) a.country = in.country->value;
        std::string now = now_iso8601();
        tx.exec("UPDATE identity.addresses SET label = ?, name = ?, company = ?, line1 = ?, line2 = ?, city = ?, region = ?, postal_code = ?, "
                "country = ?, phone = ?, updated_at = ? WHERE id = ?",
                a.label.value_or(""), a.name, a.company.value_or(""), a.line1, a.line2.value_or(""), a.city, a.region.value_or(""),
                a.postal_code, a.country, a.phone.value_or(""), now, id);
        if (in.default_shipping) {
            if (*in.default_shipping) make_default(tx, ctx.user_id(), id, "default_shipping", now);
            else tx.exec("UPDATE identity.addresses SET default_shipping = 0 WHERE id = ?", id);
        }
        if (in.default_billing) {
            if (*in.default_billing) make_default(tx, ctx.user_id(), id, "default_billing", now);
            else tx.exec("UPDATE identity.addresses SET default_billing = 0 WHERE id = ?", id);
        }
        return address_of(*tx.one(fmt::format("SELECT {} FROM identity.addresses WHERE id = ?", kAddressColumns), id));
    });
}

Result<void> ProfileService::delete_address(const Ctx& ctx, const std::string& id) {
    return db_.write("identity", ctx, [&](db::Tx& tx) -> Result<void> {
        if (tx.exec("DELETE FROM identity.addresses WHERE id = ? AND user_id = ?", id, ctx.user_id()) == 0)
            return not_found(fmt::format("no address '{}'", id));
        return {};
    });
}

namespace {
WishlistItem wishlist_item(const std::string& product_id, const std::string& added_at, const std::optional<WishedProduct>& product) {
    WishlistItem item;
    item.product_id.value = product_id;
    item.added_at.value = added_at;
    if (product) {
        item.available = true;
        item.title = product->title;
        item.slug = product->slug;
    }
    return item;
}
}  // namespace

ProductDirectory& ProfileService::products() {
    auto* products = products_.load();
    if (!products) throw std::logic_error("identity: no product directory was wired (use_products)");
    return *products;
}

WishlistPage ProfileService::wishlist(const Ctx& ctx, const std::string& after, int limit) {
    auto page = page_of<WishlistPage>(
        db_, "SELECT seq, product_id, added_at FROM identity.wishlist_items WHERE user_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
        ctx.user_id(), after, limit, [](const db::Row& r) {
            WishlistItem item;
            item.product_id.value = r.str(1);
            item.added_at.value = r.str(2);
            return item;
        });
    // The catalog is asked after the read: the product as it is now (its cache answers).
    for (auto& item : page.data) item = wishlist_item(item.product_id.value, item.added_at.value, products().published_product(item.product_id.value));
    return page;
}

Result<WishlistItem> ProfileService::add_to_wishlist(const Ctx& ctx, const std::string& product_id) {
    auto product = products().published_product(product_id);
    if (!product) return validation("product_id", "no published product has this id");
    auto added = db_.write("identity", ctx, [&](db::Tx& tx) -> Result<std::string> {
        if (!lock_owner(tx, ctx.user_id())) return not_found("no user " + ctx.user_id());
        if (auto at = tx.one("SELECT added_at FROM identity.wishlist_items WHERE user_id = ? AND product_id = ?", ctx.user_id(), product_id))
            return at->str(0);
        if (tx.count("SELECT COUNT(*) FROM identity.wishlist_items WHERE user_id = ?", ctx.user_id()) >= kMaxWishlistItems)
            return conflict(fmt::format("the wishlist is full ({} products): remove one first", kMaxWishlistItems));
        std::string now = now_iso8601();
        tx.exec("INSERT INTO identity.wishlist_items (user_id, product_id, added_at, seq) VALUES (?, ?, ?, ?)", ctx.user_id(), product_id,
                now, new_id("wsh"));
        tx.reply(api::write_value(wishlist_item(product_id, now, product)));
        return now;
    });
    if (!added) return added.error();
    return wishlist_item(product_id, *added, product);
}

Result<void> ProfileService::remove_from_wishlist(const Ctx& ctx, const std::string& product_id) {
    return db_.write("identity", ctx, [&](db::Tx& tx) -> Result<void> {
        if (tx.exec("DELETE FROM identity.wishlist_items WHERE user_id = ? AND product_id = ?", ctx.user_id(), product_id) == 0)
            return not_found(fmt::format("product '{}' is not in your wishlist", product_id));
        return {};
    });
}

}  // namespace shop::identity
