#pragma once
// Pure ordering rules: the order state machine and totals. No I/O.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

namespace shop::ordering::domain {

/// Whether an order may move from `from` to `to`.
bool can_transition(std::string_view from, std::string_view to) noexcept;

struct Totals {
    std::int64_t subtotal = 0, discount = 0, shipping = 0, tax = 0, total = 0;
};

/// total = subtotal - discount + shipping + tax, never negative.
Totals compute_totals(std::int64_t subtotal, std::int64_t discount, std::int64_t shipping, std::int64_t tax);


}  // namespace shop::ordering::domain
