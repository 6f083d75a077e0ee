#pragma once
// Pure ordering rules: the order state machine (totals: domain/pricing.hpp). No I/O.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

namespace shop::ordering::domain {

/// Whether an order may move from `from` to `to`.
bool can_transition(std::string_view from, std::string_view to) noexcept;

}  // namespace shop::ordering::domain
