#pragma once
// The demo data set (`shop seed --dataset demo`): accounts, a category tree, brands, products with
// variants and prices, stock in several warehouses with a history of movements, and past orders.
// Generated from a seeded PRNG, so the same seed always gives the same data. Pure: no I/O; the
// composition root loads it through the modules' public APIs (app.cpp).
#include <cstdint>
#include <string>
#include <vector>

namespace shop::app {

struct DemoUser {
    std::string email, password, name, role;
};

struct DemoCategory {
    std::string name;
    int parent = -1;  ///< index of the parent in DemoDataset::categories, -1 for a root
};

struct DemoVariant {
    std::string sku, title, option_name, option_value;
    std::int64_t usd = 0, eur = 0;  ///< minor units
};

struct DemoStock {
    std::string warehouse;
    std::int64_t on_hand = 0;
    std::vector<std::pair<std::int64_t, std::string>> adjustments;  ///< later deltas with their reason (the movement history)
};

/// A product picture: which view of the generated PNG, in which colour, and its alt text.
struct DemoImage {
    int view = 0;             ///< 0 front, 1 side, 2 detail, 3 in use (see demo_png)
    std::uint32_t rgb = 0;    ///< 0xRRGGBB
    std::string alt;
};

struct DemoProduct {
    std::string title, description;
    std::vector<DemoImage> images;  ///< 2 to 4
    int brand = 0;     ///< index in DemoDataset::brands
    int category = 0;  ///< index in DemoDataset::categories (a leaf)
    std::vector<DemoVariant> variants;
    std::vector<std::vector<DemoStock>> stock;  ///< per variant
};

struct DemoWarehouse {
    std::string code, name;
    std::int64_t priority = 0;
};

struct DemoOrder {
    int customer = 0;  ///< index in DemoDataset::users
    std::vector<std::pair<std::string, std::int64_t>> lines;  ///< sku, quantity
};

/// A review by a customer who bought the product (verified purchase) or not; most are approved,
/// some wait for moderation, a few are rejected.
struct DemoReview {
    int customer = 0;  ///< index in DemoDataset::users
    int product = 0;   ///< index in DemoDataset::products
    int rating = 5;
    std::string title, body;
    std::string moderation;  ///< approved | rejected | "" (pending)
};

struct DemoDataset {
    std::vector<DemoUser> users;  ///< admin, vendor and customer test accounts first
    std::vector<DemoCategory> categories;
    std::vector<std::string> brands;
    std::vector<DemoWarehouse> warehouses;  ///< besides `main`, which always exists
    std::vector<DemoProduct> products;
    std::vector<DemoOrder> orders;
    std::vector<DemoReview> reviews;
};

/// 128 users, 50 categories (10 roots with 4 subcategories each), 40 brands, 600 products with 1–3
/// variants and 2–4 images each (about 1,800), stock in three warehouses, 60 orders of 1–3 lines,
/// about 150 reviews (those of buyers first).
DemoDataset demo_dataset(std::uint64_t seed = 20261202);

}  // namespace shop::app
