#pragma once
// Moving a single-VM install (SQLite files in a data directory) into a PostgreSQL database.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "platform/config.hpp"

namespace shop {
class Logger;
namespace app {

struct MigrateDataReport {
    std::int64_t tables = 0;
    std::int64_t rows = 0;
    std::map<std::string, std::int64_t> per_table;  ///< schema.table -> rows copied
    std::map<std::string, std::int64_t> per_counter;  ///< schema.counter -> value carried over
};

/// Copies every row of every schema from the SQLite files in `from_dir` into the PostgreSQL
/// database at `to_url`: both are first migrated to this binary's version, the target must be
/// unused (no events, no consumers), each schema is copied in one transaction, identity sequences
/// continue after the copied rows, and the row counts are checked. The search index is rebuilt by
/// PostgreSQL from the copied documents. Stop the server that uses `from_dir` first.
MigrateDataReport migrate_data(const std::filesystem::path& from_dir, const std::string& to_url, Config base, Logger& log);

}  // namespace app
}  // namespace shop
