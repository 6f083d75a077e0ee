#pragma once
#include <boost/system/error_code.hpp>

#include "platform/error.hpp"

namespace shop::inventory {

enum class errc {
    out_of_stock = 1,   ///< 409 out_of_stock
    unknown_warehouse,  ///< 422 unknown_warehouse
};

const shop::ErrorCategory& inventory_category() noexcept;
inline boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), inventory_category()}; }

}  // namespace shop::inventory

template <>
struct boost::system::is_error_code_enum<shop::inventory::errc> : std::true_type {};
