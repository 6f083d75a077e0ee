#pragma once
#include <boost/system/error_code.hpp>

#include "platform/error.hpp"

namespace shop::catalog {

enum class errc {
    not_priced = 1,  ///< the variant has no price in the asked currency (422 not_priced)
    slug_taken,      ///< 409 slug_taken
    sku_taken,       ///< 409 sku_taken
};

const shop::ErrorCategory& catalog_category() noexcept;
inline boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), catalog_category()}; }

}  // namespace shop::catalog

template <>
struct boost::system::is_error_code_enum<shop::catalog::errc> : std::true_type {};
