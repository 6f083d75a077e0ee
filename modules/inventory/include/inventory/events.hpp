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

/// A SKU went out of or back into stock, crossed its low-stock threshold, or an admin set its
/// level. (Reservations that leave both unchanged publish nothing: every checkout would otherwise
/// publish twice for no reader.)
struct StockChanged {
    static constexpr std::string_view kType = "inventory.stock_changed.v1";
    std::string sku;
    std::int64_t on_hand{};
    std::int64_t available{};
    bool low_stock{};
    static constexpr auto kKey = &StockChanged::sku;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(StockChanged, (), (sku, on_hand, available, low_stock))

}  // namespace shop::inventory::events
