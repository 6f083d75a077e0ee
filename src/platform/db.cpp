#include "platform/db.hpp"

// soci-sqlite3.h wraps <sqlite3.h> in namespace sqlite_api; this file must not include <sqlite3.h>.
#include <soci/sqlite3/soci-sqlite3.h>

#include <fmt/format.h>
#include <stdexcept>

namespace shop::db {

std::int64_t col_int(const soci::row& r, std::size_t i) {
    if (r.get_indicator(i) == soci::i_null) return 0;
    switch (r.get_properties(i).get_data_type()) {
        case soci::dt_integer: return r.get<int>(i);
        case soci::dt_long_long: return r.get<long long>(i);
        case soci::dt_unsigned_long_long: return static_cast<std::int64_t>(r.get<unsigned long long>(i));
        case soci::dt_double: return static_cast<std::int64_t>(r.get<double>(i));
        case soci::dt_string: return std::stoll(r.get<std::string>(i));
        default: throw std::runtime_error("column is not an integer");
    }
}

double col_double(const soci::row& r, std::size_t i) {
    if (r.get_indicator(i) == soci::i_null) return 0;
    switch (r.get_properties(i).get_data_type()) {
        case soci::dt_double: return r.get<double>(i);
        case soci::dt_integer: return r.get<int>(i);
        case soci::dt_long_long: return static_cast<double>(r.get<long long>(i));
        case soci::dt_string: return std::stod(r.get<std::string>(i));
        default: throw std::runtime_error("column is not a number");
    }
}

std::string col_str(const soci::row& r, std::size_t i) {
    if (r.get_indicator(i) == soci::i_null) return {};
    switch (r.get_properties(i).get_data_type()) {
        case soci::dt_string: return r.get<std::string>(i);
        case soci::dt_integer: return std::to_string(r.get<int>(i));
        case soci::dt_long_long: return std::to_string(r.get<long long>(i));
        default: return r.get<std::string>(i);
    }
}

std::optional<std::string> col_opt_str(const soci::row& r, std::size_t i) {
    if (r.get_indicator(i) == soci::i_null) return std::nullopt;
    return col_str(r, i);
}

std::string Tx::publish_raw(const std::string& type, const std::string& payload) {
    std::string id = new_id("evt");
    std::string created = now_iso8601();
    const std::string& corr = ctx_.correlation_id;
    const std::string& cause = ctx_.causation_id;
    sql_ << fmt::format("INSERT INTO {}.outbox (id, type, payload, correlation_id, causation_id, created_at) "
                        "VALUES (:id, :type, :payload, :corr, :cause, :created)", schema_),
        soci::use(id), soci::use(type), soci::use(payload), soci::use(corr), soci::use(cause), soci::use(created);
    published_ = true;
    return id;
}

Database::Database(Options opts) : opts_(std::move(opts)) {
    if (opts_.schemas.size() > 9) throw std::invalid_argument("SQLite attaches at most 9 schemas besides main");
    if (opts_.synchronous != "normal" && opts_.synchronous != "full")
        throw std::invalid_argument("db.synchronous must be normal or full");
    std::filesystem::create_directories(opts_.dir);
    writer_ = open_connection();
    int n = std::max(1, opts_.readers);
    for (int i = 0; i < n; ++i) {
        readers_.push_back(open_connection());
        free_readers_.push_back(readers_.back().get());
    }
}

Database::~Database() {
    // Fold the WAL back into the main files so a stopped data directory is self-contained.
    try {
        std::lock_guard lock(writer_mu_);
        *writer_ << "PRAGMA wal_checkpoint(TRUNCATE)";
        for (auto& s : opts_.schemas) *writer_ << fmt::format("PRAGMA {}.wal_checkpoint(TRUNCATE)", s);
    } catch (...) {
    }
}

std::unique_ptr<soci::session> Database::open_connection() {
    auto main_file = (opts_.dir / "shop.db").string();
    auto s = std::make_unique<soci::session>(soci::sqlite3, fmt::format("db=\"{}\" timeout={}", main_file,
                                                                         std::max(1, opts_.busy_timeout_ms / 1000)));
    auto pragmas = [&](const std::string& schema) {
        std::string p = schema.empty() ? "" : schema + ".";
        *s << fmt::format("PRAGMA {}journal_mode=WAL", p);
        *s << fmt::format("PRAGMA {}synchronous={}", p, opts_.synchronous);
    };
    *s << fmt::format("PRAGMA busy_timeout={}", opts_.busy_timeout_ms);
    *s << "PRAGMA foreign_keys=ON";
    pragmas("");
    for (auto& schema : opts_.schemas) {
        std::string file = (opts_.dir / (schema + ".db")).string();
        *s << "ATTACH DATABASE :file AS " + schema, soci::use(file);
        pragmas(schema);
    }
    return s;
}

void Database::begin_write() { *writer_ << "BEGIN IMMEDIATE"; }
void Database::commit_write(bool published) {
    *writer_ << "COMMIT";
    if (published && on_publish_) on_publish_();
}
void Database::rollback_write() {
    try {
        *writer_ << "ROLLBACK";
    } catch (...) {
        // The transaction may already be gone (SQLite rolls back on some errors by itself).
    }
}

void Database::rethrow_translated(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const soci::sqlite3_soci_error& err) {
        if ((err.result() & 0xff) == 19)  // SQLITE_CONSTRAINT
            throw ErrorException(Error(errc::conflict, "the request conflicts with a concurrent change; retry it"));
        throw;
    }
}

void Database::exec_script_locked(soci::session& s, const std::string& sql) {
    auto* backend = static_cast<soci::sqlite3_session_backend*>(s.get_backend());
    char* err = nullptr;
    int rc = sqlite_api::sqlite3_exec(backend->conn_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != 0) {
        std::string msg = err ? err : "unknown error";
        sqlite_api::sqlite3_free(err);
        throw std::runtime_error("SQL script failed: " + msg);
    }
}

Database::Lease::Lease(Database& d) : db(d) {
    std::unique_lock lock(db.pool_mu_);
    db.pool_cv_.wait(lock, [&] { return !db.free_readers_.empty(); });
    session = db.free_readers_.back();
    db.free_readers_.pop_back();
}
Database::Lease::~Lease() {
    {
        std::lock_guard lock(db.pool_mu_);
        db.free_readers_.push_back(session);
    }
    db.pool_cv_.notify_one();
}

bool Database::healthy() {
    try {
        int one = 0;
        read([&](soci::session& s) { s << "SELECT 1", soci::into(one); });
        return one == 1;
    } catch (...) {
        return false;
    }
}

void Database::backup_to(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    std::lock_guard lock(writer_mu_);
    // BEGIN IMMEDIATE takes the write lock of every attached file: no commit, in this process or
    // another, can land between the copies of two schemas.
    *writer_ << "BEGIN IMMEDIATE";
    try {
        Lease lease(*this);
        auto* src = static_cast<soci::sqlite3_session_backend*>(lease.session->get_backend())->conn_;
        auto copy = [&](const std::string& schema, const std::string& file) {
            auto target = (dir / file).string();
            std::filesystem::remove(target);
            sqlite_api::sqlite3* dst = nullptr;
            if (sqlite_api::sqlite3_open(target.c_str(), &dst) != 0) {
                sqlite_api::sqlite3_close(dst);
                throw std::runtime_error("cannot create backup file " + target);
            }
            auto* b = sqlite_api::sqlite3_backup_init(dst, "main", src, schema.c_str());
            int rc = b ? sqlite_api::sqlite3_backup_step(b, -1) : -1;
            if (b) sqlite_api::sqlite3_backup_finish(b);
            std::string err = sqlite_api::sqlite3_errmsg(dst);
            sqlite_api::sqlite3_close(dst);
            if (rc != 101 /* SQLITE_DONE */) throw std::runtime_error("backup of " + schema + " failed: " + err);
        };
        copy("main", "shop.db");
        for (auto& schema : opts_.schemas) copy(schema, schema + ".db");
    } catch (...) {
        *writer_ << "ROLLBACK";
        throw;
    }
    *writer_ << "ROLLBACK";
}

}  // namespace shop::db
