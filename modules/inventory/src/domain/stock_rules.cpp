#include "domain/stock_rules.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace shop::inventory::domain {

std::int64_t free_of(const Level& l) { return std::max<std::int64_t>(0, l.on_hand - l.reserved); }
std::int64_t backordered_of(const Level& l) { return std::max<std::int64_t>(0, l.reserved - l.on_hand); }
bool is_low(const Level& l) { return l.low_stock_threshold > 0 && free_of(l) <= l.low_stock_threshold; }

Totals totals(const std::vector<Level>& levels, const Backorders& backorders) {
    Totals t;
    for (auto& l : levels) {
        t.on_hand += l.on_hand;
        t.reserved += l.reserved;
        t.free += free_of(l);
        t.backordered += backordered_of(l);
    }
    t.available = t.free;
    if (backorders.backorderable) t.available += std::max<std::int64_t>(0, backorders.limit - t.backordered);
    t.in_stock = t.free > 0;
    return t;
}

std::optional<std::vector<Take>> allocate(std::vector<Level> levels, std::int64_t quantity, const Backorders& backorders,
                                          const std::string& backorder_warehouse) {
    if (quantity <= 0) return std::vector<Take>{};
    if (totals(levels, backorders).available < quantity) return std::nullopt;
    std::sort(levels.begin(), levels.end(), [](const Level& a, const Level& b) {
        if (free_of(a) != free_of(b)) return free_of(a) > free_of(b);
        if (a.priority != b.priority) return a.priority > b.priority;
        return a.warehouse < b.warehouse;
    });
    std::vector<Take> out;
    std::int64_t left = quantity;
    for (auto& l : levels) {
        std::int64_t take = std::min(left, free_of(l));
        if (take <= 0) break;  // sorted: no free stock further on
        out.push_back({l.warehouse, take, false});
        left -= take;
        if (left == 0) return out;
    }
    out.push_back({backorder_warehouse, left, true});
    return out;
}

std::string adjustment_problem(std::int64_t on_hand, std::int64_t held, std::int64_t delta) {
    if (delta == 0) return "must not be 0";
    std::int64_t after = on_hand + delta;
    if (after < 0) return fmt::format("would take on_hand to {}; it is {} there", after, on_hand);
    if (after < held) return fmt::format("would take on_hand to {}, below the {} reserved by unpaid orders there", after, held);
    return "";
}

}  // namespace shop::inventory::domain
