#include "platform/migrations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include <soci/soci.h>

#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "platform/ids.hpp"
#include "platform/log.hpp"

namespace shop::db {
namespace {

// {schema} is replaced by the schema's name. Kept to what SQLite and PostgreSQL both accept.
const Migration kKernel[] = {
    {1, "outbox_and_inbox", R"sql(
CREATE TABLE IF NOT EXISTS {schema}.outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    causation_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.inbox_positions (
    consumer TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.inbox_handled (
    consumer TEXT NOT NULL,
    event_id TEXT NOT NULL,
    handled_at TEXT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
CREATE TABLE IF NOT EXISTS {schema}.inbox_failures (
    consumer TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_seq BIGINT NOT NULL,
    source TEXT NOT NULL,
    type TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    parked BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
CREATE TABLE IF NOT EXISTS {schema}.handler_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    correlation_id TEXT NOT NULL,
    consumer TEXT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    outcome TEXT NOT NULL,
    duration_us BIGINT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS {schema}.handler_log_correlation ON handler_log (correlation_id);
CREATE INDEX IF NOT EXISTS {schema}.outbox_correlation ON outbox (correlation_id);
)sql"},
    {2, "ordering_keys_and_replies", R"sql(
ALTER TABLE {schema}.outbox ADD COLUMN ordering_key TEXT NOT NULL DEFAULT '';
ALTER TABLE {schema}.inbox_failures ADD COLUMN ordering_key TEXT NOT NULL DEFAULT '';
ALTER TABLE {schema}.inbox_failures ADD COLUMN held_behind TEXT NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS {schema}.idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    body TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS {schema}.idempotency_keys_created ON idempotency_keys (created_ms);
)sql"},
};

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
        s.replace(pos, from.size(), to);
    return s;
}

struct Applied {
    std::string name;
    std::string checksum;
};

int apply_track(Database& db, Sql& sql, soci::session& s, const std::string& schema, const std::string& track,
                std::span<const Migration> migrations, bool substitute, Logger& log, bool dry_run, int& pending) {
    sql.exec(fmt::format("CREATE TABLE IF NOT EXISTS {}.schema_migrations (track TEXT NOT NULL, version BIGINT NOT NULL, "
                         "name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (track, version))",
                         schema));
    std::map<int, Applied> applied;
    for (auto& r : sql.query(fmt::format("SELECT version, name, checksum FROM {}.schema_migrations WHERE track = ? ORDER BY version",
                                         schema),
                             track))
        applied[static_cast<int>(r.i64(0))] = {r.str(1), r.str(2)};
    int newest_known = 0;
    for (auto& m : migrations) newest_known = std::max(newest_known, m.version);
    if (!applied.empty() && applied.rbegin()->first > newest_known)
        throw std::runtime_error(fmt::format(
            "database schema '{}' ({}) is at version {}, newer than this binary knows ({}); refusing to start — "
            "run the newer binary or restore a backup",
            schema, track, applied.rbegin()->first, newest_known));
    int count = 0;
    for (auto& m : migrations) {
        std::string text = substitute ? replace_all(m.sql, "{schema}", schema) : std::string(m.sql);
        std::string sum = crypto::sha256_hex(m.sql);
        if (auto it = applied.find(m.version); it != applied.end()) {
            if (it->second.checksum != sum)
                throw std::runtime_error(fmt::format(
                    "migration {}/{:04}_{} was changed after it was applied (checksum differs); migrations are "
                    "forward-only: add a new one instead",
                    schema, m.version, m.name));
            continue;
        }
        ++pending;
        if (dry_run) continue;
        sql.exec("BEGIN IMMEDIATE");
        try {
            db.exec_script(s, text);
            sql.exec(fmt::format("INSERT INTO {}.schema_migrations (track, version, name, checksum, applied_at) "
                                 "VALUES (?, ?, ?, ?, ?)", schema),
                     track, m.version, m.name, sum, now_iso8601());
            sql.exec("COMMIT");
        } catch (...) {
            try {
                sql.exec("ROLLBACK");
            } catch (...) {
                // SQLite may have rolled back already; the original error is what matters.
            }
            throw;
        }
        ++count;
        log.info("migration applied", {{"schema", schema}, {"track", track}, {"version", m.version}, {"name", m.name}});
    }
    return count;
}

}  // namespace

std::span<const Migration> kernel_migrations() { return kKernel; }

MigrationReport migrate(Database& db, const std::vector<MigrationSet>& sets, Logger& log, bool dry_run) {
    MigrationReport report;
    for (auto& set : sets) {
        db.with_schema_writer(set.schema, [&](Sql& sql, soci::session& s) {
            report.applied += apply_track(db, sql, s, set.schema, "kernel", kKernel, true, log, dry_run, report.pending);
            report.applied += apply_track(db, sql, s, set.schema, "module", set.migrations, false, log, dry_run, report.pending);
        });
    }
    return report;
}

}  // namespace shop::db
