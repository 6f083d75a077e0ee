#pragma once
// One database, a schema per module, behind a backend-neutral API.
//
// Module code writes plain schema-qualified SQL with `?` placeholders and gets, for free:
// - prepared statements cached per connection and reused (a statement is prepared once per
//   connection and SQL text, then only re-bound and re-executed);
// - writes that name their schema: `write("ordering", ctx, f)` runs f in a transaction that can
//   touch only `ordering` (with SQLite the writer of a schema has only that schema's file
//   attached, so a statement naming another schema fails instead of widening the transaction);
// - group commit: concurrent writes to one schema are committed together, each in its own
//   SAVEPOINT, so one that fails or throws rolls back alone (its outbox rows too) while the others
//   commit; callers return only after the group's COMMIT (one fsync per group with
//   synchronous=full);
// - reads on a connection of the calling thread's own (no pool to wait for), seeing every schema.
//
// Include this header only from a module's src/ or the platform: it is the SQL boundary.
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "platform/context.hpp"
#include "platform/error.hpp"
#include "platform/ids.hpp"

namespace soci {
class session;
}

namespace shop::db {

struct Options {
    /// Empty: SQLite files in `dir`. `postgresql://user:pass@host:port/db` (or any libpq
    /// connection string starting with `postgresql://` / `postgres://`): that database, one
    /// PostgreSQL schema per module, shareable by several instances.
    std::string url;
    std::filesystem::path dir;          ///< data directory: one <schema>.db file per schema (SQLite)
    std::vector<std::string> schemas;   ///< module schemas (at most 10 with SQLite)
    std::string synchronous = "normal"; ///< SQLite synchronous in WAL mode: normal | full
    int busy_timeout_ms = 5000;
    int group_max = 128;                ///< most write transactions committed in one group (SQLite)
    int cache_kib = 2048;               ///< page cache per schema file and connection (SQLite)
    int pool_size = 16;                 ///< PostgreSQL: most concurrent write transactions of this process
    int max_retries = 30;               ///< PostgreSQL: serialization failures retried this often before failing
    /// Tests only: a random pause of up to this long between writing a transaction's outbox rows
    /// and its COMMIT (PostgreSQL), to widen the window in which a later one could commit first.
    int test_commit_delay_ms = 0;
};

/// PostgreSQL maintenance outside any transaction (CREATE/DROP DATABASE for tests, benchmarks and
/// `shop migrate-data`): runs `sql` on a fresh connection to `url`.
void postgresql_exec(const std::string& url, const std::string& sql);

/// SQL statements run by this process so far, on every connection and schema (BEGIN and COMMIT
/// included): the figure behind the statements-per-checkout bound and `shop_db_statements_total`.
std::uint64_t statements_executed() noexcept;

/// True for an error that says the transaction lost a race and must be run again as a whole
/// (PostgreSQL serialization failure or deadlock). Database::write retries these itself; code
/// that catches exceptions inside a transaction must rethrow them.
bool must_retry(const std::exception& e);

/// One parameter value of a statement (built from the arguments of exec/query/one).
struct Param {
    enum class Kind : char { null = 'n', integer = 'i', real = 'd', text = 's' };
    Kind kind = Kind::null;
    std::int64_t i = 0;
    double d = 0;
    std::string_view s;

    Param() = default;
    Param(std::nullopt_t) {}
    Param(std::nullptr_t) {}
    Param(bool v) : kind(Kind::integer), i(v ? 1 : 0) {}
    template <class T>
        requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
    Param(T v) : kind(Kind::integer), i(static_cast<std::int64_t>(v)) {}
    Param(double v) : kind(Kind::real), d(v) {}
    Param(std::string_view v) : kind(Kind::text), s(v) {}
    Param(const std::string& v) : kind(Kind::text), s(v) {}
    Param(const char* v) : kind(Kind::text), s(v) {}
    template <class T>
    Param(const std::optional<T>& v) : Param(v ? Param(*v) : Param()) {}
};

/// One row of a result, owned. Integer columns read as 64-bit whatever the declared type.
class Row {
public:
    std::size_t size() const noexcept { return cells_.size(); }
    bool is_null(std::size_t i) const { return cell(i).kind == Param::Kind::null; }
    /// Integer value (0 for NULL; text is parsed).
    std::int64_t i64(std::size_t i) const;
    /// Floating-point value (0 for NULL).
    double f64(std::size_t i) const;
    /// Text value ("" for NULL; numbers are formatted).
    std::string str(std::size_t i) const;
    std::optional<std::string> opt_str(std::size_t i) const;
    /// The cell as a statement parameter of the same type (text views into this row): copying
    /// rows between databases.
    Param param(std::size_t i) const;
    bool boolean(std::size_t i) const { return i64(i) != 0; }

private:
    friend class Rows;
    friend class Conn;
    struct Cell {
        Param::Kind kind = Param::Kind::null;
        std::int64_t i = 0;
        double d = 0;
        std::string s;
    };
    const Cell& cell(std::size_t i) const;
    std::vector<Cell> cells_;
};

class Conn;
struct Stmt;

/// The rows of a running query, read one at a time. Releases its statement when destroyed:
/// keep it in a local, do not store it.
class Rows {
public:
    Rows(Conn& c, Stmt& s, bool has_row);
    Rows(Rows&& o) noexcept;
    Rows(const Rows&) = delete;
    Rows& operator=(const Rows&) = delete;
    Rows& operator=(Rows&&) = delete;
    ~Rows();

    class iterator {
    public:
        using value_type = Row;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        explicit iterator(Rows* r) : rows_(r) {}
        const Row& operator*() const { return rows_->row_; }
        const Row* operator->() const { return &rows_->row_; }
        iterator& operator++() {
            if (!rows_->advance()) rows_ = nullptr;
            return *this;
        }
        bool operator==(const iterator& o) const { return rows_ == o.rows_; }

    private:
        Rows* rows_ = nullptr;
    };
    iterator begin() { return has_row_ ? iterator(this) : iterator(); }
    iterator end() { return {}; }

private:
    bool advance();
    Conn* conn_;
    Stmt* stmt_;
    bool has_row_;
    Row row_;
};

/// SQL on one connection: `?` placeholders, one argument each (integers, bool, double, strings,
/// std::optional of those, std::nullopt for NULL). Statements are prepared once per connection.
class Sql {
public:
    explicit Sql(Conn& c) : conn_(c) {}

    /// Runs a statement without a result set; returns the rows it changed.
    template <class... A>
    std::int64_t exec(std::string_view sql, const A&... args) {
        const Param ps[] = {Param(args)..., Param()};
        return exec_params(sql, std::span<const Param>(ps, sizeof...(A)));
    }
    /// Runs a query; iterate the result with a range-for.
    template <class... A>
    Rows query(std::string_view sql, const A&... args) {
        const Param ps[] = {Param(args)..., Param()};
        return query_params(sql, std::span<const Param>(ps, sizeof...(A)));
    }
    /// The first row of a query, if any.
    template <class... A>
    std::optional<Row> one(std::string_view sql, const A&... args) {
        const Param ps[] = {Param(args)..., Param()};
        return one_params(sql, std::span<const Param>(ps, sizeof...(A)));
    }
    /// The first column of the first row as an integer (0 when there is no row or it is NULL):
    /// counts, sums, existence checks.
    template <class... A>
    std::int64_t count(std::string_view sql, const A&... args) {
        auto r = one(sql, args...);
        return r ? r->i64(0) : 0;
    }

    std::int64_t exec_params(std::string_view sql, std::span<const Param> params);
    Rows query_params(std::string_view sql, std::span<const Param> params);
    std::optional<Row> one_params(std::string_view sql, std::span<const Param> params);

    /// "sqlite" or "postgresql": for the few places where SQL must differ.
    std::string_view dialect() const noexcept;

protected:
    /// Refuses statements naming a schema of `all` other than `own` (PostgreSQL writers, whose
    /// connections could reach every schema; SQLite writers have only their own file attached).
    void confine(const std::set<std::string, std::less<>>& all, std::string_view own) {
        confine_ = &all;
        own_ = own;
    }
    void check_confined(std::string_view sql) const;

    Conn& conn_;
    const std::set<std::string, std::less<>>* confine_ = nullptr;
    std::string_view own_;
};

/// A read on the calling thread's connection (every schema visible). Each statement sees the
/// latest commit unless the read was opened with Database::read_snapshot.
class Reader : public Sql {
public:
    using Sql::Sql;
};

struct WriteJob;

/// A write transaction on one schema. Events published through it are written to
/// `<schema>.outbox` in the same transaction, so they exist exactly when the change does.
class Tx : public Sql {
public:
    Tx(Conn& c, std::string_view schema, const Ctx& ctx, WriteJob& job) : Sql(c), schema_(schema), ctx_(&ctx), job_(job) {}
    const std::string& schema() const noexcept { return schema_; }
    const Ctx& ctx() const noexcept { return *ctx_; }
    /// The engine's statement that this transaction may name no schema of `all` but its own.
    void confine_to_schema(const std::set<std::string, std::less<>>& all) { confine(all, schema_); }
    /// Work from here on belongs to `ctx` (the bus handles a batch of events in one transaction,
    /// each under its own correlation). `ctx` must outlive its use.
    void set_ctx(const Ctx& ctx) noexcept { ctx_ = &ctx; }

    /// Writes an event (a described struct with a static kType, optionally a static kKey naming
    /// the member that orders it, e.g. &OrderPlaced::order_id) to this schema's outbox; the event
    /// id is minted here, once, and returned.
    template <class Event>
    std::string publish(const Event& e) {
        std::string key;
        if constexpr (requires { Event::kKey; }) key = e.*Event::kKey;
        return publish_raw(std::string(Event::kType), key, boost::json::serialize(boost::json::value_from(e)));
    }
    std::string publish_raw(const std::string& type, const std::string& key, const std::string& payload);

    /// The next value of a counter of this schema (`<schema>.<name>`): a one-row table with a
    /// `value` column on SQLite, a SEQUENCE on PostgreSQL (no lock held until commit, so
    /// concurrent transactions do not conflict; a rolled-back transaction leaves a gap there).
    /// Both are created by the module's migrations.
    std::int64_t next_number(std::string_view counter);

    /// Runs `f` after this transaction committed (never when it rolls back), on the caller's
    /// thread: cache invalidation, waking a worker that acts on an intent recorded here.
    void after_commit(std::function<void()> f);

    /// Records the reply of the request this transaction answers, under the request's
    /// Idempotency-Key, in this schema and this transaction: a retry of the request is answered
    /// with `body` and never runs again. Does nothing when the request carries no key for this
    /// schema. Never pass secrets.
    void reply(const boost::json::value& body);

private:
    std::string schema_;
    const Ctx* ctx_;
    WriteJob& job_;
};

template <class T>
struct is_result : std::false_type {};
template <class T>
struct is_result<Result<T>> : std::true_type {};

/// An event published in a transaction whose outbox row is written at commit (PostgreSQL).
struct PendingEvent {
    std::string id, type, key, payload, correlation_id, causation_id, created_at;
};

/// A queued write: the caller's function, type-erased, and what became of it.
struct WriteJob {
    const Ctx* ctx = nullptr;
    void* fn = nullptr;
    void (*call)(void* fn, Tx& tx, WriteJob& job) = nullptr;
    bool rollback = false;  ///< the function returned an error Result
    std::exception_ptr error;
    std::int64_t published = 0;  ///< highest outbox seq written (0: nothing published)
    std::vector<std::function<void()>> after_commit;
    /// PostgreSQL: events to write to the outbox just before COMMIT, under the schema's outbox
    /// lock, so outbox seqs commit in order (a consumer reading by seq never passes a gap that
    /// a slower transaction fills later).
    std::vector<PendingEvent> events;
    bool done = false;

    /// Forgets what a previous run of the function left (before running it again).
    void reset() {
        rollback = false;
        error = nullptr;
        published = 0;
        after_commit.clear();
        events.clear();
    }
};

/// A stored reply of an idempotent request.
struct StoredReply {
    std::string fingerprint;
    std::string body;
};

class Engine;

class Database {
public:
    explicit Database(Options opts);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    /// Runs `f(Tx&)` in a transaction on `schema`'s writer, grouped with concurrent writes to the
    /// same schema. f's changes are undone if it throws or returns a Result holding an error;
    /// the call returns once the transaction committed (or rethrows f's exception, UNIQUE
    /// violations as 409 conflict). Thread-safe. f must not call write() for the same schema.
    template <class F>
    auto write(std::string_view schema, const Ctx& ctx, F&& f) -> std::invoke_result_t<F, Tx&> {
        using R = std::invoke_result_t<F, Tx&>;
        using Slot = std::conditional_t<std::is_void_v<R>, bool, std::optional<R>>;
        Slot result{};
        auto call_f = [&](Tx& tx, WriteJob& job) {
            if constexpr (std::is_void_v<R>) {
                f(tx);
            } else {
                result.emplace(f(tx));
                if constexpr (is_result<R>::value) job.rollback = !result->has_value();
            }
        };
        WriteJob job;
        job.ctx = &ctx;
        job.fn = &call_f;
        job.call = [](void* fn, Tx& tx, WriteJob& j) { (*static_cast<decltype(call_f)*>(fn))(tx, j); };
        run_write(schema, job);
        if constexpr (!std::is_void_v<R>) return std::move(*result);
    }

    /// Runs `f(Reader&)` on the calling thread's reader connection.
    template <class F>
    auto read(F&& f) -> std::invoke_result_t<F, Reader&> {
        Reader r(reader());
        return f(r);
    }
    /// Like read(), inside one read transaction: every statement of f sees the same snapshot.
    template <class F>
    auto read_snapshot(F&& f) -> std::invoke_result_t<F, Reader&> {
        Conn& c = reader();
        begin_snapshot(c);
        struct End {
            Database& db;
            Conn& c;
            ~End() { db.end_snapshot(c); }
        } end{*this, c};
        Reader r(c);
        return f(r);
    }

    /// Exclusive use of `schema`'s writer connection outside write(): migrations manage their own
    /// transactions there. `f(Sql&, soci::session&)`.
    void with_schema_writer(std::string_view schema, const std::function<void(Sql&, soci::session&)>& f);
    /// Runs a multi-statement SQL script on a connection given to with_schema_writer().
    void exec_script(soci::session& s, const std::string& sql);

    /// Forgets replies of idempotent requests recorded before `before_ms`, in every schema.
    std::int64_t purge_replies(std::int64_t before_ms);
    /// The reply stored for (scope, key) in `schema`, if any.
    std::optional<StoredReply> stored_reply(std::string_view schema, std::string_view scope, std::string_view key);

    /// Called after every commit that published events, with the schema and the highest outbox
    /// seq it wrote (the bus wakes up on it).
    /// With PostgreSQL, also called for commits of other instances sharing the database.
    void on_publish(std::function<void(std::string_view schema, std::int64_t seq)> cb);
    const Options& options() const noexcept { return opts_; }
    std::string_view dialect() const noexcept;
    /// True when a reader and every writer answer.
    bool healthy();
    /// SQLite: consistent online copy of every schema file into `dir`: one read snapshot of every file,
    /// taken while no commit can land (the writers are held only for that instant), copied with
    /// SQLite's backup API, so consumers are never copied ahead of the outboxes they read.
    /// PostgreSQL: refused (pg_dump makes a consistent copy of a database served by many instances).
    void backup_to(const std::filesystem::path& dir);

    struct WriteStats {
        /// Upper bounds (seconds) of the duration histogram's buckets; one more bucket is +Inf.
        static constexpr std::array<double, 11> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                            0.01,   0.025,   0.05,   0.1,   0.5};
        std::uint64_t transactions = 0;  ///< write() calls finished
        std::uint64_t groups = 0;        ///< COMMITs that carried them
        std::uint64_t failed = 0;        ///< write() calls rolled back
        std::int64_t in_flight = 0;      ///< write() calls queued or running now
        std::array<std::uint64_t, 12> duration_buckets{};  ///< not cumulative; [11] is +Inf
        double duration_sum_s = 0;
    };
    WriteStats write_stats() const;

private:
    void run_write(std::string_view schema, WriteJob& job);
    Conn& reader();
    void begin_snapshot(Conn& c);
    void end_snapshot(Conn& c);

    Options opts_;
    std::unique_ptr<Engine> engine_;
    std::function<void(std::string_view, std::int64_t)> on_publish_;
};

}  // namespace shop::db
