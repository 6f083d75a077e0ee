#pragma once
// Where the token signing keys come from (never the database):
// 1. SHOP_AUTH_SIGNING_KEY (auth.signing_key, environment only): a JWK Set or one JWK;
// 2. auth.signing_keys_file: a JWK Set file the operator keeps (read-only to the shop is fine);
// 3. neither: <data_dir>/signing-keys.json, made with mode 0600 on the first start (a fresh
//    install, `scripts/run`) and read on later starts.
// Setting both 1 and 2 stops the start. A key left in identity.legacy_signing_keys by a version
// that kept it in the database is moved out once, then deleted there.
#include <filesystem>
#include <string>
#include <vector>

#include "domain/jwt.hpp"

namespace shop {
class Config;
class Logger;
namespace db {
class Database;
}
}  // namespace shop

namespace shop::identity {

struct LoadedKeys {
    std::vector<domain::SigningKey> keys;  ///< [0] signs; all verify
    std::string source;                    ///< for logs: "SHOP_AUTH_SIGNING_KEY" or the file's path
};

/// The key file a fresh install makes in its data directory.
std::filesystem::path generated_keys_file(const Config& config);

/// Loads the keys (see above), first moving any key still in the database out of it. Throws
/// std::runtime_error naming the setting or file when the keys cannot be read.
LoadedKeys load_signing_keys(const Config& config, db::Database& db, Logger& log);

/// Writes `text` to `file` with mode 0600 as a whole (a temporary file, fsync, rename, fsync of
/// the directory): a reader sees the old content or the new, never part of it.
void write_private_file(const std::filesystem::path& file, const std::string& text);

}  // namespace shop::identity
