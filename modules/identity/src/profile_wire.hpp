#pragma once
// The profile's requests and replies on the wire (see platform/api.hpp): PATCH /me, the address
// book and the wishlist.
#include <optional>
#include <string>
#include <vector>

#include "platform/api.hpp"

namespace shop::identity {

struct ProfilePatch {
    std::optional<api::Text<1, 200>> name;
    std::optional<api::Nullable<api::Text<1, 35>>> locale;  ///< BCP 47 (`en-US`, `pt-BR`, `zh-Hant-TW`); null forgets it
    std::optional<bool> marketing_consent;                    ///< true records when it was given; false withdraws it
};
SHOP_API_STRUCT(ProfilePatch, name, locale, marketing_consent)

struct AddressRequest {
    std::optional<api::Text<1, 60>> label;  ///< `Home`, `Office`
    api::Text<1, 200> name;
    std::optional<api::Text<1, 200>> company;
    api::Text<1, 200> line1;
    std::optional<api::Text<1, 200>> line2;
    api::Text<1, 100> city;
    std::optional<api::Text<1, 100>> region;
    api::Text<1, 20> postal_code;
    api::Country country;
    std::optional<api::Text<1, 40>> phone;  ///< digits, spaces and `+-().`
    std::optional<bool> default_shipping;   ///< default: true for the first address
    std::optional<bool> default_billing;    ///< default: true for the first address
};
SHOP_API_STRUCT(AddressRequest, label, name, company, line1, line2, city, region, postal_code, country, phone, default_shipping,
                default_billing)

struct AddressPatch {
    std::optional<api::Nullable<api::Text<1, 60>>> label;
    std::optional<api::Text<1, 200>> name;
    std::optional<api::Nullable<api::Text<1, 200>>> company;
    std::optional<api::Text<1, 200>> line1;
    std::optional<api::Nullable<api::Text<1, 200>>> line2;
    std::optional<api::Text<1, 100>> city;
    std::optional<api::Nullable<api::Text<1, 100>>> region;
    std::optional<api::Text<1, 20>> postal_code;
    std::optional<api::Country> country;
    std::optional<api::Nullable<api::Text<1, 40>>> phone;
    std::optional<bool> default_shipping;  ///< true makes it the default (the previous one stops being it); false: no default
    std::optional<bool> default_billing;
};
SHOP_API_STRUCT(AddressPatch, label, name, company, line1, line2, city, region, postal_code, country, phone, default_shipping,
                default_billing)

struct AddressReply {
    api::Id<"adr"> id;
    std::optional<std::string> label;
    std::string name;
    std::optional<std::string> company;
    std::string line1;
    std::optional<std::string> line2;
    std::string city;
    std::optional<std::string> region;
    std::string postal_code;
    std::string country;  ///< ISO 3166-1 alpha-2
    std::optional<std::string> phone;
    bool default_shipping = false;
    bool default_billing = false;
    api::Timestamp created_at;
    api::Timestamp updated_at;
};
SHOP_API_STRUCT(AddressReply, id, label, name, company, line1, line2, city, region, postal_code, country, phone, default_shipping,
                default_billing, created_at, updated_at)

struct AddressPage {
    std::vector<AddressReply> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(AddressPage, data, next_cursor)

struct WishlistAdd {
    api::Id<"prd"> product_id;  ///< a published product
};
SHOP_API_STRUCT(WishlistAdd, product_id)

struct WishlistItem {
    api::Id<"prd"> product_id;
    api::Timestamp added_at;
    bool available = false;            ///< the product is published now (it may have been withdrawn since)
    std::optional<std::string> title;  ///< while available
    std::optional<std::string> slug;   ///< while available
};
SHOP_API_STRUCT(WishlistItem, product_id, added_at, available, title, slug)

struct WishlistPage {
    std::vector<WishlistItem> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(WishlistPage, data, next_cursor)

struct ProfilePageQuery {
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
};
SHOP_API_STRUCT(ProfilePageQuery, limit, cursor)

}  // namespace shop::identity
