#include "app/demo_dataset.hpp"

#include <array>
#include <cctype>
#include <map>
#include <set>

namespace shop::app {
namespace {

/// splitmix64: a tiny PRNG whose output is the same on every platform and standard library (the
/// <random> distributions are not specified bit for bit).
class Prng {
public:
    explicit Prng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, n).
    std::int64_t below(std::int64_t n) { return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n)); }
    template <class C>
    const auto& pick(const C& c) {
        return c[static_cast<std::size_t>(below(static_cast<std::int64_t>(std::size(c))))];
    }

private:
    std::uint64_t state_;
};

struct Department {
    const char* name;
    std::array<const char*, 4> children;
    std::array<const char*, 6> nouns;  ///< what its products are
    std::int64_t min_usd, max_usd;     ///< price range in cents
    const char* option;                ///< what its variants differ in
    std::array<const char*, 3> values;
};

const Department kDepartments[] = {
    {"Clothing", {"Shirts", "Jackets", "Trousers", "Knitwear"}, {"Shirt", "Jacket", "Chinos", "Sweater", "Hoodie", "Parka"}, 1900, 24900, "size", {"S", "M", "L"}},
    {"Footwear", {"Sneakers", "Boots", "Sandals", "Running Shoes"}, {"Sneaker", "Boot", "Sandal", "Runner", "Loafer", "Trail Shoe"}, 3900, 22900, "size", {"41", "42", "43"}},
    {"Kitchen", {"Cookware", "Coffee", "Knives", "Tableware"}, {"Skillet", "Kettle", "Chef Knife", "Mug", "Teapot", "Saucepan"}, 900, 19900, "colour", {"black", "steel", "red"}},
    {"Home", {"Lighting", "Bedding", "Decor", "Storage"}, {"Lamp", "Duvet", "Vase", "Basket", "Cushion", "Throw"}, 1500, 29900, "colour", {"white", "grey", "sand"}},
    {"Electronics", {"Headphones", "Speakers", "Chargers", "Cameras"}, {"Headphones", "Speaker", "Charger", "Camera", "Earbuds", "Power Bank"}, 1900, 89900, "colour", {"black", "white", "blue"}},
    {"Outdoor", {"Tents", "Backpacks", "Camping Kitchen", "Sleeping Bags"}, {"Tent", "Backpack", "Stove", "Sleeping Bag", "Headlamp", "Water Filter"}, 1900, 49900, "size", {"S", "M", "L"}},
    {"Sports", {"Yoga", "Cycling", "Fitness", "Swimming"}, {"Yoga Mat", "Bike Light", "Dumbbell", "Swim Goggles", "Jump Rope", "Foam Roller"}, 900, 14900, "colour", {"black", "teal", "coral"}},
    {"Beauty", {"Skincare", "Hair Care", "Fragrance", "Bath"}, {"Face Cream", "Shampoo", "Eau de Parfum", "Bath Salts", "Serum", "Hair Oil"}, 700, 12900, "size", {"50ml", "100ml", "200ml"}},
    {"Toys", {"Puzzles", "Building Sets", "Plush", "Board Games"}, {"Puzzle", "Building Set", "Plush Bear", "Board Game", "Kite", "Wooden Train"}, 900, 9900, "edition", {"classic", "deluxe", "travel"}},
    {"Office", {"Notebooks", "Pens", "Desk Accessories", "Bags"}, {"Notebook", "Fountain Pen", "Desk Organizer", "Laptop Bag", "Planner", "Desk Lamp"}, 500, 15900, "colour", {"black", "navy", "olive"}},
};

const char* const kAdjectives[] = {"Classic", "Modern", "Vintage", "Organic", "Premium", "Compact", "Rugged", "Elegant", "Everyday", "Pro",
                                   "Lightweight", "Handmade", "Recycled", "Essential", "Urban", "Alpine"};
const char* const kMaterials[] = {"cotton", "merino wool", "stainless steel", "recycled nylon", "oak", "ceramic", "leather", "bamboo", "linen", "aluminium"};
const char* const kBenefits[] = {"built to last", "easy to care for", "made for every day", "designed in small batches", "tested outdoors",
                                 "with a lifetime warranty", "light enough to carry anywhere", "gentle on the planet"};
const char* const kBrandStems[] = {"North", "Oak", "River", "Stone", "Atlas", "Cedar", "Harbor", "Summit", "Willow", "Ember",
                                   "Falcon", "Juniper", "Meadow", "Pioneer", "Quarry", "Saffron", "Tundra", "Vega", "Wren", "Zephyr"};
const char* const kBrandSuffixes[] = {"& Co", "Works"};
const char* const kFirstNames[] = {"Ann", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena", "Milo", "Nia", "Omar",
                                   "Pia", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Vic", "Wes", "Xena", "Yuri", "Zoe"};
const char* const kLastNames[] = {"Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kowalski", "Lopez",
                                  "Moreau", "Nakamura", "Olsen", "Patel", "Rossi", "Silva", "Tanaka", "Weber"};

/// The colour a picture shows: the variant's colour where variants differ in colour, else the
/// department's own.
std::uint32_t colour_of(const std::string& value, int department) {
    static const std::pair<const char*, std::uint32_t> kNamed[] = {
        {"black", 0x2b2b2b}, {"steel", 0x8a99a6}, {"red", 0xc0392b}, {"white", 0xb8b0a2}, {"grey", 0x7f8c8d}, {"sand", 0xc2a878},
        {"blue", 0x2e6fbf},  {"teal", 0x16a085},  {"coral", 0xe0735a}, {"navy", 0x1f3a60}, {"olive", 0x6b7a2f}};
    for (auto& [name, rgb] : kNamed)
        if (value == name) return rgb;
    static const std::uint32_t kDepartment[] = {0x5b6cc0, 0x8e5b3c, 0x9c6b30, 0x7a6f9b, 0x34495e, 0x3f7d4e, 0x1f8a9c, 0xb0568f, 0xe0a526, 0x4d5d53};
    return kDepartment[department % 10];
}

const char* const kViews[] = {"front view", "side view", "detail", "in use"};

struct ReviewText {
    const char* title;
    const char* body;
};
const ReviewText kReviewTexts[6][3] = {
    {},
    {{"Disappointed", "It broke within a week and the finish was not what the photos show."},
     {"Not for me", "Poor fit and the material feels cheap. Returned it."},
     {"Would not buy again", "Arrived late and did not work as described."}},
    {{"Below expectations", "Does the job, but the quality is uneven for the price."},
     {"Meh", "Smaller than I expected and a bit flimsy."},
     {"Okay at best", "Works, though I had to fiddle with it more than I'd like."}},
    {{"Decent", "Fine for everyday use. Nothing special, nothing wrong."},
     {"Average", "Good value, but there are better ones if you can spend more."},
     {"Does the job", "Solid enough. Packaging could be better."}},
    {{"Very good", "Well made and exactly as described. Would recommend."},
     {"Happy with it", "Great quality for the price, arrived quickly."},
     {"Nice find", "Looks great and feels sturdy. Minor scuff on arrival."}},
    {{"Excellent", "Outstanding quality, I use it every day. Buying a second one."},
     {"Love it", "Beautiful, well made and just the right size."},
     {"Best purchase this year", "Exceeded my expectations in every way."}},
};

std::string sku_stem(const std::string& title, int n) {
    std::string out;
    for (char c : title)
        if (std::isupper(static_cast<unsigned char>(c))) out.push_back(c);
    return out + "-" + std::to_string(1000 + n);
}

std::string lower_dotted(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

DemoDataset demo_dataset(std::uint64_t seed) {
    Prng rng(seed);
    Prng pics(seed ^ 0x50494354ull);     // pictures
    Prng reviews(seed ^ 0x52455657ull);  // reviews
    DemoDataset d;
    d.users.push_back({"admin@example.com", "Admin123!", "Demo Admin", "admin"});
    d.users.push_back({"vendor@example.com", "Vendor123!", "Demo Vendor", "vendor"});
    d.users.push_back({"customer@example.com", "Customer123!", "Demo Customer", "customer"});
    std::set<std::string> emails;
    while (d.users.size() < 128) {
        std::string first = rng.pick(kFirstNames), last = rng.pick(kLastNames);
        std::string email = lower_dotted(first + "." + last) + std::to_string(d.users.size()) + "@example.com";
        if (!emails.insert(email).second) continue;
        d.users.push_back({email, "Customer123!", first + " " + last, "customer"});
    }

    std::vector<int> leaves;  // per department: its four subcategories
    for (auto& dep : kDepartments) {
        int root = static_cast<int>(d.categories.size());
        d.categories.push_back({dep.name, -1});
        for (auto* child : dep.children) {
            leaves.push_back(static_cast<int>(d.categories.size()));
            d.categories.push_back({child, root});
        }
    }
    for (auto* stem : kBrandStems)
        for (auto* suffix : kBrandSuffixes) d.brands.push_back(std::string(stem) + " " + suffix);

    d.warehouses = {{"east", "East Coast DC", 5}, {"west", "West Coast DC", 3}};
    const char* const kWarehouses[] = {"main", "east", "west"};
    const char* const kReasons[] = {"received", "damaged", "count correction", "returned to supplier"};

    std::set<std::string> titles;
    for (int n = 0; static_cast<int>(d.products.size()) < 600; ++n) {
        int dep_index = static_cast<int>(rng.below(std::size(kDepartments)));
        const auto& dep = kDepartments[dep_index];
        int sub = static_cast<int>(rng.below(4));
        int brand = static_cast<int>(rng.below(static_cast<std::int64_t>(d.brands.size())));
        std::string noun = rng.pick(dep.nouns);
        std::string title = d.brands[brand].substr(0, d.brands[brand].find(' ')) + " " + rng.pick(kAdjectives) + " " + noun;
        if (!titles.insert(title).second) continue;  // each title once (slugs come from titles)
        DemoProduct p;
        p.title = title;
        p.brand = brand;
        p.category = leaves[static_cast<std::size_t>(dep_index * 4 + sub)];
        p.description = std::string("A ") + rng.pick(kMaterials) + " " + lower_dotted(noun) + " from " + d.brands[brand] + ", " +
                        rng.pick(kBenefits) + ". Part of our " + lower_dotted(dep.children[sub]) + " range.";
        std::int64_t base = dep.min_usd + rng.below(dep.max_usd - dep.min_usd);
        base = base / 100 * 100 + 99;  // prices end in .99
        int variants = 1 + static_cast<int>(rng.below(3));
        std::string stem = sku_stem(title, static_cast<int>(d.products.size()));
        for (int v = 0; v < variants; ++v) {
            std::int64_t usd = base + v * 500;
            p.variants.push_back({stem + "-" + std::to_string(v + 1), dep.values[v], dep.option, dep.values[v], usd, usd * 92 / 100});
            std::vector<DemoStock> stock;
            // One product in twelve is sold out everywhere; the others are stocked in one to three warehouses.
            bool sold_out = rng.below(12) == 0;
            int places = 1 + static_cast<int>(rng.below(3));
            for (int w = 0; w < places; ++w) {
                DemoStock s{kWarehouses[w], sold_out ? 0 : 5 + rng.below(60), {}};
                if (!sold_out && rng.below(3) == 0) {
                    std::int64_t received = 10 + rng.below(40);
                    s.adjustments.push_back({received, kReasons[0]});
                    if (rng.below(2) == 0) s.adjustments.push_back({-1 - rng.below(3), rng.below(2) ? kReasons[1] : kReasons[2]});
                }
                stock.push_back(std::move(s));
            }
            p.stock.push_back(std::move(stock));
        }
        // Pictures from their own generator, so adding them left every other value of the set as it was.
        int pictures = 2 + static_cast<int>(pics.below(3));
        for (int k = 0; k < pictures; ++k) {
            const auto& variant = p.variants[static_cast<std::size_t>(k) % p.variants.size()];
            std::string alt = title + ", " + kViews[k];
            if (std::string(dep.option) == "colour") alt += ", " + variant.option_value;
            p.images.push_back({k, colour_of(variant.option_value, dep_index), alt});
        }
        d.products.push_back(std::move(p));
    }

    // Past orders: customers 2 (customer@example.com) to 21 buy 1-3 in-stock variants, several times.
    for (int o = 0; o < 60; ++o) {
        DemoOrder order;
        order.customer = 2 + static_cast<int>(rng.below(20));
        if (o == 0) order.customer = 2;  // customer@example.com has an order history to look at
        int lines = 1 + static_cast<int>(rng.below(3));
        std::set<std::string> skus;
        while (static_cast<int>(order.lines.size()) < lines) {
            const auto& p = d.products[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(d.products.size())))];
            std::size_t v = static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(p.variants.size())));
            if (p.stock[v].front().on_hand == 0 || !skus.insert(p.variants[v].sku).second) continue;
            order.lines.push_back({p.variants[v].sku, 1 + rng.below(2)});
        }
        d.orders.push_back(std::move(order));
    }

    // Reviews: about half of what was bought is reviewed by its buyer (verified purchases), then
    // other customers review products they did not buy here.
    std::map<std::string, int> product_of_sku;
    for (std::size_t k = 0; k < d.products.size(); ++k)
        for (auto& v : d.products[k].variants) product_of_sku[v.sku] = static_cast<int>(k);
    std::set<std::pair<int, int>> reviewed;  // (customer, product): one review each
    const int kRatings[] = {5, 5, 5, 5, 4, 4, 4, 3, 3, 2, 1};
    auto add_review = [&](int customer, int product) {
        if (!reviewed.insert({customer, product}).second) return;
        int rating = kRatings[reviews.below(static_cast<std::int64_t>(std::size(kRatings)))];
        const auto& text = kReviewTexts[rating][reviews.below(3)];
        std::int64_t fate = reviews.below(100);
        d.reviews.push_back({customer, product, rating, text.title, text.body, fate < 82 ? "approved" : fate < 94 ? "" : "rejected"});
    };
    for (auto& order : d.orders)
        for (auto& [sku, quantity] : order.lines)
            if (reviews.below(2) == 0) add_review(order.customer, product_of_sku.at(sku));
    while (d.reviews.size() < 150)
        add_review(22 + static_cast<int>(reviews.below(static_cast<std::int64_t>(d.users.size()) - 22)),
                   static_cast<int>(reviews.below(static_cast<std::int64_t>(d.products.size()))));
    return d;
}

}  // namespace shop::app
