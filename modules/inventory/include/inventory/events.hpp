#pragma once
#include <boost/describe.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shop::inventory::events {

/// A reservation's TTL ran out before it was committed: its stock is available again.
struct ReservationExpired {
    static constexpr std::string_view kType = "inventory.reservation_expired.v1";
    std::string reference;
    std::vector<std::string> skus;
    static constexpr auto kKey = &ReservationExpired::reference;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(ReservationExpired, (), (reference, skus))

/// A SKU's free stock in one warehouse fell to or below that level's low-stock threshold (it was
/// above it before the change). Published once per crossing; a level with threshold 0 never alerts.
struct LowStock {
    static constexpr std::string_view kType = "inventory.low_stock.v1";
    std::string sku;
    std::string warehouse;
    std::int64_t on_hand{};    ///< in that warehouse
    std::int64_t available{};  ///< free in that warehouse: on_hand minus what reservations hold, at least 0
    std::int64_t low_stock_threshold{};
    static constexpr auto kKey = &LowStock::sku;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(LowStock, (), (sku, warehouse, on_hand, available, low_stock_threshold))

/// A SKU went in or out of stock: its free stock (on_hand minus what reservations hold, over every
/// warehouse) became positive or fell to 0. Published once per change of `in_stock`.
struct StockStatusChanged {
    static constexpr std::string_view kType = "inventory.stock_status_changed.v1";
    std::string sku;
    bool in_stock{};
    std::int64_t available{};  ///< what can be ordered now: free stock plus any backorder allowance left
    static constexpr auto kKey = &StockStatusChanged::sku;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(StockStatusChanged, (), (sku, in_stock, available))

}  // namespace shop::inventory::events
