#pragma once
// Uploaded product images, stored under <data_dir>/media by the SHA-256 of their bytes: a name
// never changes content, so it can be cached forever. Thread-safe.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "platform/error.hpp"

namespace shop::catalog {

/// A stored upload: its name (`<sha256>.<ext>`) and its public path (`/media/<name>`).
struct StoredMedia {
    std::string name;
    std::string path;
};

/// The image type whose signature `bytes` start with ("image/png", "image/jpeg", "image/gif",
/// "image/webp"), or nullopt.
std::optional<std::string_view> sniff_image_type(std::string_view bytes) noexcept;

class MediaStore {
public:
    MediaStore(std::filesystem::path dir, std::int64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}

    /// Stores an image. `content_type` must be a supported image type that the bytes' signature
    /// confirms (415 otherwise); an empty or larger than max_bytes image is 413/422. Storing the
    /// same bytes twice gives the same name and writes once.
    Result<StoredMedia> put(std::string_view bytes, std::string_view content_type);
    /// The bytes and type of a stored name; nullopt when there is no such file (or the name is
    /// not one put() gives).
    std::optional<std::pair<std::string, std::string>> get(std::string_view name) const;
    std::int64_t max_bytes() const noexcept { return max_bytes_; }

private:
    std::filesystem::path dir_;
    std::int64_t max_bytes_;
};

}  // namespace shop::catalog
