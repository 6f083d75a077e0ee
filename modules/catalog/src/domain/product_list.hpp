#pragma once
// Pure rules of the product list: its sort orders and the position a cursor carries. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shop::catalog::domain {

/// What the product list is ordered by; ties are broken by product id in the same direction.
enum class SortKey { created, price, title, rating };

struct ListOrder {
    SortKey key = SortKey::created;
    bool descending = true;
    std::string name = "newest";  ///< the `sort` value as given
    /// Whether the key is text (created_at, title_key) rather than an integer (price, rating_key).
    bool text_key() const noexcept { return key == SortKey::created || key == SortKey::title; }
};

/// The order a `sort` value names: `newest` (the default, = `-created`), `created`, `price`,
/// `title`, `rating`, each ascending or with a leading `-` descending. nullopt for anything else.
std::optional<ListOrder> list_order(std::string_view sort);

/// Where the next page starts: after the item with this sort key and id, in this order (and, for
/// prices, this currency: a price key means nothing in another one).
struct ListPosition {
    std::string sort;      ///< ListOrder::name of the page it came from
    std::string currency;  ///< the page's currency when sorted by price, else ""
    std::string text_key;  ///< for text keys
    std::int64_t int_key = 0;
    std::string id;
};

/// The position as the text a cursor wraps, and back (nullopt: not one this API wrote).
std::string encode_position(const ListPosition& p);
std::optional<ListPosition> decode_position(std::string_view text);

/// The title as the list sorts it: ASCII letters folded to lower case, everything else as is.
std::string title_key(std::string_view title);

/// The rating sort key: the average rating in thousandths, rounded half up (0 without ratings).
std::int64_t rating_key(std::int64_t sum, std::int64_t count);

}  // namespace shop::catalog::domain
