#pragma once
// Inside platform/db: connections, cached statements and the two engines (SQLite, PostgreSQL)
// behind Database. Nothing outside src/platform/db*.cpp and migrations.cpp includes this.
#include <soci/soci.h>

#include <array>
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/db.hpp"

namespace shop::db {

enum class Dialect { sqlite, postgresql };

/// A prepared statement with the storage its parameters are bound to, reused call after call.
struct Stmt {
    struct Slot {
        Param::Kind kind = Param::Kind::text;
        long long i = 0;
        double d = 0;
        std::string s;
        soci::indicator ind = soci::i_null;
    };
    std::unique_ptr<soci::statement> st;
    std::vector<Slot> slots;  // sized once: soci keeps pointers into it
    soci::row row;
    bool query = false;
    bool busy = false;
    std::string sql;
    std::string key;  ///< its place in the connection's cache
};

/// A connection and its statement cache. Used by one thread at a time.
class Conn {
public:
    Conn(std::unique_ptr<soci::session> s, Dialect d) : session_(std::move(s)), dialect_(d) {}
    virtual ~Conn();

    soci::session& session() { return *session_; }
    Dialect dialect() const noexcept { return dialect_; }
    bool sqlite() const noexcept { return dialect_ == Dialect::sqlite; }

    Stmt& acquire(std::string_view sql, std::span<const Param> params, bool query);
    void release(Stmt& s) {
        reset(s);
        s.busy = false;
    }
    /// Forgets a statement whose execution failed: SOCI may have left it half-described (a query
    /// that failed on its first run would return rows without columns ever after).
    void discard(Stmt& s);
    /// Lets go of a statement's result (SQLite keeps a read transaction open until reset).
    virtual void reset(Stmt&) {}
    /// The rowid of the last INSERT on this connection (SQLite only).
    virtual std::int64_t last_insert_rowid();
    /// Copies the statement's current row into `out`, reusing its buffers.
    static void load_row(const soci::row& r, Row& out);

    std::int64_t exec(std::string_view sql, std::span<const Param> params);
    /// A fixed statement (BEGIN, COMMIT, SAVEPOINT ...), cached like any other.
    void run(std::string_view sql) { exec(sql, {}); }

    int snapshot_depth = 0;

protected:
    std::unique_ptr<soci::session> session_;

private:
    Dialect dialect_;
    std::unordered_map<std::string, std::vector<std::unique_ptr<Stmt>>> cache_;
    std::string key_;
    std::size_t size_ = 0;
};

/// Connections handed out one per thread: a thread keeps its connection (no pool to wait for)
/// and gives it back to be reused when the thread ends.
class ThreadConnections {
public:
    explicit ThreadConnections(std::function<std::unique_ptr<Conn>()> open);
    ~ThreadConnections();
    /// The calling thread's connection, opened on first use.
    Conn& get();
    /// Closes every connection (threads still holding one must not use it again).
    void close();

    struct Pool;

private:
    std::shared_ptr<Pool> pool_;
    std::function<std::unique_ptr<Conn>()> open_;
};

/// What Database needs from a backend.
class Engine {
public:
    virtual ~Engine() = default;
    virtual Dialect dialect() const noexcept = 0;
    /// Runs `job` in a transaction on `schema` and returns when it is settled: committed, or
    /// rolled back with job.error / job.rollback set.
    virtual void write(std::string_view schema, WriteJob& job) = 0;
    /// The calling thread's reader connection.
    virtual Conn& reader() = 0;
    virtual void begin_snapshot(Conn& c) = 0;
    virtual void with_schema_writer(std::string_view schema, const std::function<void(Sql&, soci::session&)>& f) = 0;
    virtual void exec_script(soci::session& s, const std::string& sql) = 0;
    virtual bool is_unique_violation(const std::exception_ptr& e) const = 0;
    virtual void backup_to(const std::filesystem::path& dir) = 0;
    /// Calls `cb` for commits of every process sharing the database (PostgreSQL: LISTEN/NOTIFY);
    /// SQLite has one process, whose commits Database reports itself.
    virtual void watch(std::function<void(std::string_view schema, std::int64_t seq)> cb) {}

    std::atomic<std::uint64_t> transactions{0}, groups{0}, failed{0};
    /// Writes waiting for or inside their schema's writer right now.
    std::atomic<std::int64_t> in_flight{0};
    /// Duration of write() calls, queueing included: counts per bucket of WriteStats::kBuckets
    /// (the last one is +Inf) and the sum in microseconds.
    std::array<std::atomic<std::uint64_t>, 12> duration_buckets{};
    std::atomic<std::uint64_t> duration_sum_us{0};
};

std::unique_ptr<Engine> make_sqlite_engine(const Options& o);
std::unique_ptr<Engine> make_postgresql_engine(const Options& o);

/// A row of <schema>.schema_migrations.
struct RecordedMigration {
    std::string track;
    int version = 0;
    std::string checksum;
};
/// The migrations recorded in one schema's SQLite file, read without creating or changing any
/// file (no -wal or -shm either); nullopt when the file does not exist.
std::optional<std::vector<RecordedMigration>> sqlite_recorded_migrations(const std::filesystem::path& file);
/// The migrations recorded in one PostgreSQL schema, read in a read-only session; empty when the
/// schema or its table does not exist.
std::vector<RecordedMigration> postgresql_recorded_migrations(const std::string& url, const std::string& schema);

/// `?` placeholders outside quotes, the form module SQL is written in.
std::size_t count_placeholders(std::string_view sql);
/// The same SQL with SOCI's named placeholders (:p1, :p2, ...), which its PostgreSQL backend
/// numbers ($1, $2, ...).
std::string named_placeholders(std::string_view sql);

}  // namespace shop::db
