#include "media_store.hpp"

#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "platform/crypto.hpp"
#include "platform/ids.hpp"

namespace shop::catalog {
namespace fs = std::filesystem;

namespace {

struct Kind {
    std::string_view type, ext;
};
constexpr Kind kKinds[] = {{"image/png", "png"}, {"image/jpeg", "jpg"}, {"image/gif", "gif"}, {"image/webp", "webp"}};

std::string_view ext_of(std::string_view type) {
    for (auto& k : kKinds)
        if (k.type == type) return k.ext;
    return {};
}

}  // namespace

std::optional<std::string_view> sniff_image_type(std::string_view b) noexcept {
    if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
    if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return "image/jpeg";
    if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) return "image/gif";
    if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
    return std::nullopt;
}

Result<StoredMedia> MediaStore::put(std::string_view bytes, std::string_view content_type) {
    // "image/png; charset=..." is still image/png.
    auto type = content_type.substr(0, content_type.find(';'));
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    auto ext = ext_of(type);
    if (ext.empty())
        return Error(shop::errc::unsupported_media_type, "upload an image/png, image/jpeg, image/gif or image/webp body with that Content-Type");
    if (bytes.empty()) return validation("body", "is empty: send the image's bytes");
    if (static_cast<std::int64_t>(bytes.size()) > max_bytes_)
        return Error(shop::errc::payload_too_large, fmt::format("an image may have at most {} bytes (catalog.max_image_bytes)", max_bytes_));
    auto sniffed = sniff_image_type(bytes);
    if (!sniffed || *sniffed != type)
        return Error(shop::errc::unsupported_media_type, fmt::format("the body is not a {} image", type));
    StoredMedia out;
    out.name = fmt::format("{}.{}", crypto::sha256_hex(bytes), ext);
    out.path = "/media/" + out.name;
    fs::create_directories(dir_);
    auto final_path = dir_ / out.name;
    if (fs::exists(final_path)) return out;
    // Write aside, then rename: a reader never sees half a file under the final name.
    auto tmp = dir_ / (out.name + "." + new_id("tmp") + ".part");
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        f.close();
        if (!f) {
            std::error_code ignored;
            fs::remove(tmp, ignored);
            throw std::runtime_error("could not write " + tmp.string());
        }
    }
    fs::rename(tmp, final_path);
    return out;
}

std::optional<std::pair<std::string, std::string>> MediaStore::get(std::string_view name) const {
    auto dot = name.find('.');
    if (dot != 64) return std::nullopt;
    for (char c : name.substr(0, 64))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    std::string_view type;
    for (auto& k : kKinds)
        if (name.substr(65) == k.ext) type = k.type;
    if (type.empty()) return std::nullopt;
    std::ifstream f(dir_ / std::string(name), std::ios::binary);
    if (!f) return std::nullopt;
    std::ostringstream body;
    body << f.rdbuf();
    return std::pair{body.str(), std::string(type)};
}

}  // namespace shop::catalog
