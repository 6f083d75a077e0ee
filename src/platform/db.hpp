#pragma once
// One database, a schema per module. With SQLite every schema is its own file in the data
// directory, attached under the schema's name to every connection. Writes go through one writer
// connection (SQLite has one writer) serialised by a mutex; reads use a pool of reader
// connections, each a WAL snapshot. A write transaction touches exactly one schema.
//
// Include this header only from a module's src/ (it brings SOCI in).
#include <soci/soci.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "platform/context.hpp"
#include "platform/error.hpp"
#include "platform/ids.hpp"

namespace shop::db {

struct Options {
    std::filesystem::path dir;          ///< data directory: shop.db + <schema>.db files
    std::vector<std::string> schemas;   ///< attached under these names (at most 9)
    int readers = 4;                    ///< reader connections in the pool
    std::string synchronous = "normal"; ///< SQLite synchronous in WAL mode: normal | full
    int busy_timeout_ms = 5000;
};

class Database;

/// A write transaction on one schema. Events published through it are written to
/// `<schema>.outbox` in the same transaction, so they exist exactly when the change does.
class Tx {
public:
    Tx(soci::session& s, std::string schema, const Ctx& ctx) : sql_(s), schema_(std::move(schema)), ctx_(ctx) {}
    soci::session& sql() noexcept { return sql_; }
    const std::string& schema() const noexcept { return schema_; }
    const Ctx& ctx() const noexcept { return ctx_; }

    /// Writes an event (a described struct with a static kType) to this schema's outbox; the
    /// event id is minted here, once, and returned.
    template <class Event>
    std::string publish(const Event& e) {
        return publish_raw(std::string(Event::kType), boost::json::serialize(boost::json::value_from(e)));
    }
    std::string publish_raw(const std::string& type, const std::string& payload);
    bool published() const noexcept { return published_; }

private:
    soci::session& sql_;
    std::string schema_;
    const Ctx& ctx_;
    bool published_ = false;
};

/// Integer column of a row whatever SQLite's declared type made of it (0 for NULL).
/// SOCI reads a column declared INTEGER as a 32-bit int in a row: declare 64-bit columns BIGINT
/// (and read an INTEGER PRIMARY KEY through CAST(... AS BIGINT)).
std::int64_t col_int(const soci::row& r, std::size_t i);
/// Floating-point column of a row (0 for NULL).
double col_double(const soci::row& r, std::size_t i);
/// Text column of a row ("" for NULL).
std::string col_str(const soci::row& r, std::size_t i);
/// Optional text column.
std::optional<std::string> col_opt_str(const soci::row& r, std::size_t i);

template <class T>
struct is_result : std::false_type {};
template <class T>
struct is_result<Result<T>> : std::true_type {};

class Database {
public:
    explicit Database(Options opts);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    /// Runs `f(Tx&)` inside BEGIN IMMEDIATE ... COMMIT on the writer connection. Rolls back if f
    /// throws or returns a Result holding an error. Thread-safe (writers queue on a mutex).
    template <class F>
    auto write(std::string_view schema, const Ctx& ctx, F&& f) -> std::invoke_result_t<F, Tx&> {
        using R = std::invoke_result_t<F, Tx&>;
        std::unique_lock lock(writer_mu_);
        begin_write();
        Tx tx(*writer_, std::string(schema), ctx);
        try {
            if constexpr (std::is_void_v<R>) {
                f(tx);
                commit_write(tx.published());
            } else {
                R r = f(tx);
                bool ok = true;
                if constexpr (is_result<R>::value) ok = r.has_value();
                if (ok) commit_write(tx.published());
                else rollback_write();
                return r;
            }
        } catch (...) {
            rollback_write();
            rethrow_translated(std::current_exception());
        }
    }

    /// Runs `f(soci::session&)` on a pooled reader connection (a consistent snapshot for the
    /// duration of f when f opens a transaction; otherwise each statement sees the latest commit).
    template <class F>
    auto read(F&& f) -> std::invoke_result_t<F, soci::session&> {
        Lease lease(*this);
        return f(*lease.session);
    }

    /// Runs a multi-statement SQL script on the writer connection, outside any transaction
    /// management of write() (used by migrations, which manage their own transaction).
    void exec_script_locked(soci::session& s, const std::string& sql);
    /// Exclusive access to the writer connection (migrations, backup).
    template <class F>
    auto with_writer(F&& f) {
        std::unique_lock lock(writer_mu_);
        return f(*writer_);
    }

    /// Called after every commit that published events (the bus wakes up on it).
    void on_publish(std::function<void()> cb) { on_publish_ = std::move(cb); }
    const Options& options() const noexcept { return opts_; }
    /// True when SELECT 1 works on a reader and the writer is open.
    bool healthy();
    /// Consistent online copy of every database file into `dir`: a write lock on every schema keeps
    /// commits out while SQLite's backup API copies each file, so consumers are never copied ahead
    /// of the outboxes they read.
    void backup_to(const std::filesystem::path& dir);

private:
    struct Lease {
        explicit Lease(Database& db);
        ~Lease();
        Database& db;
        soci::session* session;
    };
    std::unique_ptr<soci::session> open_connection();
    void begin_write();
    void commit_write(bool published);
    void rollback_write();
    /// A UNIQUE/CHECK violation is a conflict with concurrent work (409), anything else is rethrown.
    [[noreturn]] static void rethrow_translated(std::exception_ptr e);

    Options opts_;
    std::mutex writer_mu_;
    std::unique_ptr<soci::session> writer_;
    std::mutex pool_mu_;
    std::condition_variable pool_cv_;
    std::vector<std::unique_ptr<soci::session>> readers_;
    std::vector<soci::session*> free_readers_;
    std::function<void()> on_publish_;
};

}  // namespace shop::db
