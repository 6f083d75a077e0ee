#include "app/demo_images.hpp"

#include <zlib.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace shop::app {
namespace {

void put32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

void chunk(std::string& out, const char* type, const std::string& data) {
    put32(out, static_cast<std::uint32_t>(data.size()));
    std::string body = std::string(type, 4) + data;
    out += body;
    put32(out, static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

std::uint32_t mix(std::uint32_t rgb, double toward_white) {
    std::uint32_t out = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
        double c = (rgb >> shift) & 0xFF;
        c = c + (255 - c) * toward_white;
        out |= static_cast<std::uint32_t>(std::lround(c)) << shift;
    }
    return out;
}

/// Palette index of pixel (x, y): 0 background, 1 the shape, 2 its shadow.
int pixel(int view, int x, int y, int size) {
    double u = (x + 0.5) / size - 0.5, v = (y + 0.5) / size - 0.5;  // -0.5 .. 0.5
    auto inside = [&](double du, double dv) {
        double a = u - du, b = v - dv;
        switch (view) {
            case 0: return a * a + b * b < 0.3 * 0.3;
            case 1: {
                double ax = std::max(std::abs(a) - 0.22, 0.0), by = std::max(std::abs(b) - 0.14, 0.0);
                return ax * ax + by * by < 0.08 * 0.08;
            }
            case 2: return b > -0.3 && b < 0.28 && std::abs(a) < (b + 0.3) * 0.55;
            default: return std::abs(a) < 0.34 && std::abs(b) < 0.34 && static_cast<int>(std::floor((a + b + 1) * 10)) % 2 == 0;
        }
    };
    if (inside(0, 0)) return 1;
    if (inside(-0.025, -0.035)) return 2;  // the shadow falls down and to the right
    return 0;
}

}  // namespace

std::string demo_png(int view, std::uint32_t rgb, int size) {
    std::string raw;
    raw.reserve(static_cast<std::size_t>(size) * (size + 1));
    for (int y = 0; y < size; ++y) {
        raw.push_back(0);  // filter: none
        for (int x = 0; x < size; ++x) raw.push_back(static_cast<char>(pixel(view, x, y, size)));
    }
    uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
    std::string packed(packed_size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size, reinterpret_cast<const Bytef*>(raw.data()),
                  static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK)
        throw std::runtime_error("compressing a demo image failed");
    packed.resize(packed_size);

    std::string png("\x89PNG\r\n\x1a\n", 8);
    std::string ihdr;
    put32(ihdr, static_cast<std::uint32_t>(size));
    put32(ihdr, static_cast<std::uint32_t>(size));
    ihdr += std::string("\x08\x03\x00\x00\x00", 5);  // 8-bit palette, deflate, no filter variants, no interlace
    chunk(png, "IHDR", ihdr);
    std::string plte;
    for (std::uint32_t c : {mix(rgb, 0.88), rgb, mix(rgb, 0.6)})
        for (int shift = 16; shift >= 0; shift -= 8) plte.push_back(static_cast<char>((c >> shift) & 0xFF));
    chunk(png, "PLTE", plte);
    chunk(png, "IDAT", packed);
    chunk(png, "IEND", "");
    return png;
}

}  // namespace shop::app
