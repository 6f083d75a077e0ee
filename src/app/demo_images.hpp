#pragma once
// The demo data set's product pictures: small generated PNGs (a shape in the variant's colour on a
// light tint), so the storefront shows real images without fetching anything. Pure: bytes only.
#include <cstdint>
#include <string>

namespace shop::app {

/// A `size`×`size` palette PNG of view `view` (0 front: a disc, 1 side: a rounded block, 2 detail:
/// a triangle, 3 in use: stripes) in the colour 0xRRGGBB.
std::string demo_png(int view, std::uint32_t rgb, int size = 320);

}  // namespace shop::app
