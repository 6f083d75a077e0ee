#pragma once
// The day range of a report query: `from` and `to` as YYYY-MM-DD (UTC), both included.
#include <optional>
#include <string>

#include "platform/error.hpp"

namespace shop {

struct DayRange {
    std::string from;  ///< YYYY-MM-DD
    std::string to;    ///< YYYY-MM-DD, included
};

/// The range asked for: `to` defaults to today, `from` to `default_days` - 1 days before `to`.
/// A malformed date, or `from` after `to`, is 422 naming the field.
Result<DayRange> day_range(const std::optional<std::string>& from, const std::optional<std::string>& to, int default_days = 30);

}  // namespace shop
