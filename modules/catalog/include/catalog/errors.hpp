#pragma once
#include <boost/system/error_code.hpp>

#include "platform/error.hpp"

namespace shop::catalog {

enum class errc {
    not_priced = 1,  ///< the variant has no price in the asked currency (422 not_priced)
    slug_taken,      ///< 409 slug_taken
    sku_taken,       ///< 409 sku_taken
    invalid_state,   ///< 409 invalid_state: not in this state (the last variant of a product, a review already moderated)
    in_use,          ///< 409 in_use: products still hold it (an attribute or one of its options)
    code_taken,      ///< 409 code_taken: an attribute code
};

const shop::ErrorCategory& catalog_category() noexcept;
inline boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), catalog_category()}; }

}  // namespace shop::catalog

template <>
struct boost::system::is_error_code_enum<shop::catalog::errc> : std::true_type {};
