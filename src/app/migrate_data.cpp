// shop migrate-data: a single-VM install (SQLite files) moved into a PostgreSQL database.
#include "app/migrate_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "app/app.hpp"
#include "platform/db.hpp"
#include "platform/log.hpp"

namespace shop::app {
namespace {

struct Table {
    std::string name;
    std::vector<std::string> columns;   // copied: in both, not generated in the target
    std::vector<std::string> identity;  // target identity columns, whose sequences must follow
};

/// The tables of `schema` in the SQLite source that the target has too (the FTS5 index and its
/// shadow tables have no counterpart: PostgreSQL derives its index from search.documents).
std::vector<Table> tables_of(db::Database& src, db::Database& dst, const std::string& schema) {
    std::vector<Table> out;
    src.read([&](db::Reader& r) {
        for (auto& row : r.query(fmt::format("SELECT name FROM {}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                             "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
                                             schema)))
            out.push_back({row.str(0), {}, {}});
        for (auto& t : out)
            for (auto& col : r.query("SELECT name FROM pragma_table_info(?, ?)", t.name, schema)) t.columns.push_back(col.str(0));
    });
    dst.read([&](db::Reader& r) {
        for (auto& t : out) {
            std::set<std::string> target;
            for (auto& col : r.query("SELECT column_name, is_identity FROM information_schema.columns "
                                     "WHERE table_schema = ? AND table_name = ? AND is_generated = 'NEVER'",
                                     schema, t.name)) {
                target.insert(col.str(0));
                if (col.str(1) == "YES") t.identity.push_back(col.str(0));
            }
            std::erase_if(t.columns, [&](const std::string& c) { return !target.count(c); });
        }
    });
    std::erase_if(out, [](const Table& t) { return t.columns.empty(); });  // FTS shadow tables
    // Referenced tables first, so every foreign key holds while rows arrive.
    std::map<std::string, std::set<std::string>> refs;
    src.read([&](db::Reader& r) {
        for (auto& t : out)
            for (auto& fk : r.query("SELECT \"table\" FROM pragma_foreign_key_list(?, ?)", t.name, schema))
                if (fk.str(0) != t.name) refs[t.name].insert(fk.str(0));
    });
    std::vector<Table> ordered;
    std::set<std::string> placed;
    while (ordered.size() < out.size()) {
        bool progress = false;
        for (auto& t : out) {
            if (placed.count(t.name)) continue;
            bool ready = true;
            for (auto& dep : refs[t.name]) ready = ready && (placed.count(dep) || std::none_of(out.begin(), out.end(), [&](auto& o) { return o.name == dep; }));
            if (!ready) continue;
            ordered.push_back(t);
            placed.insert(t.name);
            progress = true;
        }
        if (!progress) throw std::runtime_error("schema " + schema + " has a cycle of foreign keys");
    }
    return ordered;
}

}  // namespace

MigrateDataReport migrate_data(const std::filesystem::path& from_dir, const std::string& to_url, Config base, Logger& log) {
    if (!std::filesystem::exists(from_dir / "catalog.db"))
        throw std::runtime_error("no SQLite data directory at " + from_dir.string() + " (catalog.db is missing)");
    Config src_cfg = base;
    src_cfg.set("data_dir", from_dir.string(), "migrate-data --from");
    src_cfg.set("db.url", "", "migrate-data --from");
    Config dst_cfg = base;
    dst_cfg.set("db.url", to_url, "migrate-data --to");
    App src(src_cfg);
    App dst(dst_cfg);
    if (dst.database().dialect() != "postgresql") throw std::runtime_error("--to must be a postgresql:// URL");
    // Both at this binary's schema version: the columns then match table for table.
    src.migrate();
    dst.migrate();

    auto& from = src.database();
    auto& to = dst.database();
    const auto& schemas = to.options().schemas;
    for (auto& schema : schemas) {
        auto used = to.read([&](db::Reader& r) {
            return r.count(fmt::format("SELECT (SELECT COUNT(*) FROM {0}.outbox) + (SELECT COUNT(*) FROM {0}.inbox_positions)", schema));
        });
        if (used > 0)
            throw std::runtime_error(fmt::format("the target database is in use (schema {} has events or consumers): migrate into a new, "
                                                 "empty database",
                                                 schema));
    }

    MigrateDataReport report;
    Ctx ctx = Ctx::system("migrate-data");
    for (auto& schema : schemas) {
        auto tables = tables_of(from, to, schema);
        // One transaction per schema: a schema is copied whole or not at all.
        to.write(schema, ctx, [&](db::Tx& tx) {
            // Rows the target's migrations seeded (shipping methods) give way to the source's;
            // referencing tables are emptied before the tables they reference.
            for (auto t = tables.rbegin(); t != tables.rend(); ++t)
                if (t->name != "schema_migrations") tx.exec(fmt::format("DELETE FROM {}.{}", schema, t->name));
            for (auto& t : tables) {
                if (t.name == "schema_migrations") continue;  // the target recorded its own
                std::string cols, marks;
                for (std::size_t i = 0; i < t.columns.size(); ++i) {
                    cols += (i ? ", " : "") + t.columns[i];
                    marks += i ? ", ?" : "?";
                }
                std::string insert = fmt::format("INSERT INTO {}.{} ({}) VALUES ({})", schema, t.name, cols, marks);
                std::int64_t n = 0;
                from.read_snapshot([&](db::Reader& r) {
                    std::vector<db::Param> params(t.columns.size());
                    for (auto& row : r.query(fmt::format("SELECT {} FROM {}.{}", cols, schema, t.name))) {
                        for (std::size_t i = 0; i < params.size(); ++i) params[i] = row.param(i);
                        tx.exec_params(insert, params);
                        ++n;
                    }
                });
                for (auto& col : t.identity)
                    tx.exec(fmt::format("SELECT setval(pg_get_serial_sequence('{0}.{1}', '{2}'), "
                                        "(SELECT COALESCE(MAX({2}), 0) + 1 FROM {0}.{1}), false)",
                                        schema, t.name, col));
                report.tables += 1;
                report.rows += n;
                report.per_table[schema + "." + t.name] = n;
            }
        });
        // Counters (Tx::next_number): a one-row table in SQLite, a sequence in PostgreSQL.
        std::vector<std::string> sequences;
        to.read([&](db::Reader& r) {
            for (auto& row : r.query("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = ?", schema))
                sequences.push_back(row.str(0));
        });
        for (auto& name : sequences) {
            auto value = from.read([&](db::Reader& r) -> std::optional<std::int64_t> {
                if (!r.one(fmt::format("SELECT name FROM {}.sqlite_master WHERE type = 'table' AND name = ?", schema), name)) return std::nullopt;
                return r.count(fmt::format("SELECT value FROM {}.{}", schema, name));
            });
            if (!value) continue;  // an identity column's own sequence: set with its table
            to.write(schema, ctx, [&](db::Tx& tx) { tx.exec(fmt::format("SELECT setval('{}.{}', ?)", schema, name), *value); });
            report.per_counter[schema + "." + name] = *value;
        }
        log.info("schema copied", {{"schema", schema}, {"tables", static_cast<std::int64_t>(tables.size())}});
    }
    // Check: every table holds as many rows as its source.
    for (auto& table : report.per_table) {
        const auto& name = table.first;  // named, not a structured binding: clang 14 cannot capture one
        auto n = table.second;
        auto copied = to.read([&](db::Reader& r) { return r.count(fmt::format("SELECT COUNT(*) FROM {}", name)); });
        if (copied != n) throw std::runtime_error(fmt::format("{} has {} rows after the copy, the source {}", name, copied, n));
    }
    return report;
}

}  // namespace shop::app
