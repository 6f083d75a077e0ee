#pragma once
// The signed-in user's own data beyond credentials: profile (name, locale, marketing consent),
// address book and wishlist. Every query is scoped to the caller, so another user's address is
// simply not found. Thread-safe.
#include <atomic>
#include <string>

#include "identity/api.hpp"
#include "platform/context.hpp"
#include "platform/error.hpp"
#include "profile_wire.hpp"

namespace shop::db {
class Database;
}

namespace shop::identity {

class ProfileService {
public:
    ProfileService(db::Database& db, IdentityApi& users) : db_(db), users_(users) {}
    /// Where wishlists check products (set by the composition root before start).
    void use_products(ProductDirectory& products) { products_ = &products; }

    /// Changes the caller's name, locale or marketing consent.
    Result<User> update_profile(const Ctx& ctx, const ProfilePatch& patch);

    AddressPage addresses(const Ctx& ctx, const std::string& after, int limit);
    Result<AddressReply> address(const Ctx& ctx, const std::string& id);
    Result<AddressReply> add_address(const Ctx& ctx, const AddressRequest& in);
    Result<AddressReply> update_address(const Ctx& ctx, const std::string& id, const AddressPatch& in);
    Result<void> delete_address(const Ctx& ctx, const std::string& id);

    WishlistPage wishlist(const Ctx& ctx, const std::string& after, int limit);
    /// Adds a published product (adding one already there answers the entry as it is).
    Result<WishlistItem> add_to_wishlist(const Ctx& ctx, const std::string& product_id);
    Result<void> remove_from_wishlist(const Ctx& ctx, const std::string& product_id);

private:
    ProductDirectory& products();

    db::Database& db_;
    IdentityApi& users_;
    std::atomic<ProductDirectory*> products_{nullptr};
};

}  // namespace shop::identity
