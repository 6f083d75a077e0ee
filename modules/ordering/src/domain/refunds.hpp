#pragma once
// Pure refund and return rules: what an order's status becomes after refunds, what a return may
// hold, what its lines are worth. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

namespace shop::ordering::domain {

/// The status an order in `status` takes once `refunded` of `captured` went back: refunded when
/// all of it did (from confirmed on), partially_refunded when part of a delivered order did;
/// otherwise it keeps its status (part of an order not delivered yet, a cancelled order).
std::string status_after_refund(std::string_view status, std::int64_t refunded, std::int64_t captured);

/// Whether an admin may refund an order in `status` (money was taken and not all given back).
bool refundable_status(std::string_view status) noexcept;

/// Whether a return in `from` may move to `to` (requested → approved | rejected; approved →
/// received | rejected).
bool can_move_return(std::string_view from, std::string_view to) noexcept;

/// An order line as far as returns and restocks go.
struct LineUnits {
    std::string line_id;
    std::int64_t quantity = 0;    ///< ordered
    std::int64_t delivered = 0;   ///< in delivered shipments
    std::int64_t returned = 0;    ///< in returns not rejected
    std::int64_t restocked = 0;   ///< sent back to stock already
    std::int64_t line_total = 0;  ///< what the line cost before discount, tax and shipping
};

/// A line and quantity asked for (`lines[i]` of a request).
struct AskedLine {
    std::string line_id;
    std::int64_t quantity = 0;
};

/// The lines of a return: each at most what was delivered and not returned yet. An unknown or
/// repeated line is 422 naming `lines[i].line_id`, too many units 422 naming `lines[i].quantity`.
Result<std::vector<AskedLine>> plan_return(const std::vector<LineUnits>& order, const std::vector<AskedLine>& asked);

/// The units to restock: `asked`, or (none asked) every unit not restocked yet; each at most what
/// is left of its line (422 naming `lines[i]...` otherwise).
Result<std::vector<AskedLine>> plan_restock(const std::vector<LineUnits>& order, const std::optional<std::vector<AskedLine>>& asked);

/// What `quantity` units of a line are worth to a refund: the line's share of what the customer
/// paid for goods (`paid_for_goods` = total - shipping, so discount and tax are shared out in
/// proportion to `line_total` over `subtotal`), per unit, rounded down.
std::int64_t returned_value(std::int64_t paid_for_goods, std::int64_t subtotal, const LineUnits& line, std::int64_t quantity);

}  // namespace shop::ordering::domain
