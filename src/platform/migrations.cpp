#include "platform/migrations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "platform/crypto.hpp"
#include "platform/db.hpp"
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
};

const Migration kMain[] = {
    {1, "idempotency_keys", R"sql(
CREATE TABLE IF NOT EXISTS main.idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    status BIGINT NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    headers TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS main.idempotency_keys_created ON idempotency_keys (created_ms);
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

int apply_track(Database& db, soci::session& s, const std::string& schema, const std::string& track,
                std::span<const Migration> migrations, bool substitute, Logger& log, bool dry_run, int& pending) {
    s << fmt::format("CREATE TABLE IF NOT EXISTS {}.schema_migrations (track TEXT NOT NULL, version BIGINT NOT NULL, "
                     "name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (track, version))",
                     schema);
    std::map<int, Applied> applied;
    {
        soci::rowset<soci::row> rows = (s.prepare << fmt::format(
            "SELECT version, name, checksum FROM {}.schema_migrations WHERE track = :t ORDER BY version", schema),
                                        soci::use(track));
        for (auto& r : rows) applied[db::col_int(r, 0)] = {db::col_str(r, 1), db::col_str(r, 2)};
    }
    int newest_known = 0;
    for (auto& m : migrations) newest_known = std::max(newest_known, m.version);
    if (!applied.empty() && applied.rbegin()->first > newest_known)
        throw std::runtime_error(fmt::format(
            "database schema '{}' ({}) is at version {}, newer than this binary knows ({}); refusing to start — "
            "run the newer binary or restore a backup",
            schema, track, applied.rbegin()->first, newest_known));
    int count = 0;
    for (auto& m : migrations) {
        std::string sql = substitute ? replace_all(m.sql, "{schema}", schema) : std::string(m.sql);
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
        s << "BEGIN IMMEDIATE";
        try {
            db.exec_script_locked(s, sql);
            std::string name = m.name, at = now_iso8601();
            int version = m.version;
            s << fmt::format("INSERT INTO {}.schema_migrations (track, version, name, checksum, applied_at) "
                             "VALUES (:t, :v, :n, :c, :a)", schema),
                soci::use(track), soci::use(version), soci::use(name), soci::use(sum), soci::use(at);
            s << "COMMIT";
        } catch (...) {
            try {
                s << "ROLLBACK";
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
std::span<const Migration> main_migrations() { return kMain; }

MigrationReport migrate(Database& db, const std::vector<MigrationSet>& sets, Logger& log, bool dry_run) {
    MigrationReport report;
    db.with_writer([&](soci::session& s) {
        report.applied += apply_track(db, s, "main", "kernel", kMain, false, log, dry_run, report.pending);
        for (auto& set : sets) {
            report.applied += apply_track(db, s, set.schema, "kernel", kKernel, true, log, dry_run, report.pending);
            report.applied += apply_track(db, s, set.schema, "module", set.migrations, false, log, dry_run, report.pending);
        }
    });
    return report;
}

}  // namespace shop::db
