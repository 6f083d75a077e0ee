#pragma once
// Forward-only migrations per schema, embedded into the binary. Each is applied in its own
// transaction, checksummed and recorded in <schema>.schema_migrations; a recorded checksum that no
// longer matches, or a recorded version this binary does not know, stops the start.
#include <span>
#include <string>
#include <vector>

namespace shop {
class Logger;
namespace db {
class Database;

struct Migration {
    int version;
    const char* name;
    const char* sql;
};

/// The migrations of one schema (a module's migrations/<module>/*.sql).
struct MigrationSet {
    std::string schema;
    std::span<const Migration> migrations;
};

struct MigrationReport {
    int applied = 0;
    int pending = 0;
};

/// Applies every pending migration of every set (kernel tables first: outbox and inbox tables
/// for each schema). Throws std::runtime_error when the database is newer than this binary or a
/// checksum differs. With dry_run, only counts what is pending.
MigrationReport migrate(Database& db, const std::vector<MigrationSet>& sets, Logger& log, bool dry_run = false);

/// The tables the platform itself keeps in every module schema (outbox, inbox positions,
/// handled ids, delivery failures, replies of idempotent requests). Version numbers are their own track ("kernel").
std::span<const Migration> kernel_migrations();

}  // namespace db
}  // namespace shop
