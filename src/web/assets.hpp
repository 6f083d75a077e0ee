#pragma once
// The web pages' files, embedded at build time (cmake/EmbedAssets.cmake generates the table).
#include <cstddef>
#include <string_view>

namespace shop::web {

struct EmbeddedAsset {
    std::string_view name;          ///< `app.js` (served as /assets/app.js; the pages' shells at / and /admin)
    std::string_view content_type;
    std::string_view body;
    std::string_view gzip;          ///< the body gzip-compressed at build time; empty when that saves nothing
    std::string_view etag;          ///< quoted, from the body's SHA-256
};

extern const EmbeddedAsset kAssets[];
extern const std::size_t kAssetCount;

/// The asset named `name`, or nullptr.
const EmbeddedAsset* find_asset(std::string_view name) noexcept;

}  // namespace shop::web
