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

struct DemoProduct {
    std::string title, description;
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

struct DemoDataset {
    std::vector<DemoUser> users;  ///< admin, vendor and customer test accounts first
    std::vector<DemoCategory> categories;
    std::vector<std::string> brands;
    std::vector<DemoWarehouse> warehouses;  ///< besides `main`, which always exists
    std::vector<DemoProduct> products;
    std::vector<DemoOrder> orders;
};

/// 128 users, 50 categories (10 roots with 4 subcategories each), 40 brands, 600 products with 1–3
/// variants, stock in three warehouses, 60 orders of 1–3 lines.
DemoDataset demo_dataset(std::uint64_t seed = 20261202);

}  // namespace shop::app
