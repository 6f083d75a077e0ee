#pragma once
// `shop backup DIR` and `shop restore DIR`: a consistent online copy of everything in the data
// directory that matters, with a manifest (sizes, SHA-256, schema versions), and its verified
// restore into an empty data directory.
//
// What a backup holds:
// - SQLite: every module database, copied with SQLite's backup API from one read snapshot taken
//   while no commit can land (db::Database::backup_to), so no consumer is ahead of its source.
//   PostgreSQL: no database (pg_dump's job); the manifest says so.
// - Every other file the shop keeps in the data directory (mail/outbox/*.eml, media/*,
//   the generated signing key file), copied after the database snapshot: every mail the copied
//   database counts as sent and every image a copied product shows exists in the copy.
// - Never: bus/ (this process's in-flight notes: restored, they would make the new instance retry
//   batches it never started), SQLite's -wal/-shm/-journal files, half-written *.tmp/*.part files.
// Files are created 0600 and directories 0700; manifest.json is written last, so a backup that
// was interrupted has none and is refused by restore.
#include <cstdint>
#include <iosfwd>
#include <filesystem>
#include <string>
#include <vector>

#include "platform/config.hpp"

namespace shop::app {

class App;

inline constexpr const char* kManifestName = "manifest.json";
inline constexpr const char* kBackupFormat = "shop-backup/1";

struct BackupOptions {
    /// false (`--without-keys`): leave the signing key file out; a restored SQLite install then
    /// makes a new key on its first start (access tokens signed by the old one stop verifying and
    /// clients refresh them).
    bool with_keys = true;
};

struct BackupReport {
    std::size_t files = 0;
    std::int64_t bytes = 0;
    bool database_included = false;  ///< false on PostgreSQL
    bool signing_keys_included = false;
    std::vector<std::string> notes;  ///< what the operator must know (PostgreSQL, keys)
};

/// Writes a backup of `app`'s data into `target`, which must not exist or be an empty directory
/// (std::runtime_error otherwise). Safe while `app` serves: writes go on during the copy.
BackupReport backup(App& app, const std::filesystem::path& target, const BackupOptions& options);

struct RestoreReport {
    std::size_t files = 0;
    std::int64_t bytes = 0;
    std::vector<std::string> notes;
};

/// Verifies every file of the backup in `source` against its manifest (refusing, with the file's
/// name, a missing, changed or unlisted file) and copies it into `config`'s data directory, which
/// must not exist or be empty. Nothing is migrated here: the next start migrates forward.
RestoreReport restore(const std::filesystem::path& source, const Config& config);

/// The checks restore() makes before copying, alone: throws std::runtime_error naming the first
/// file that is missing, unlisted, or differs in size or SHA-256 from the manifest.
void verify_backup(const std::filesystem::path& source);

/// `shop backup DIR`: checks that `config`'s data directory holds a shop (a wrong --data-dir must
/// not create an empty one), backs it up and prints what it wrote and what the operator must know.
int backup_command(const Config& config, const std::filesystem::path& target, const BackupOptions& options);
/// `shop restore DIR`: restore() into `config`'s data directory, printing what it did.
int restore_command(const Config& config, const std::filesystem::path& source);

}  // namespace shop::app
