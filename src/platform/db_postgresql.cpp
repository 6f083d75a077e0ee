// The PostgreSQL engine: one database, a schema per module, shared by any number of instances.
//
// - Writes run as REPEATABLE READ (snapshot) transactions on a pool of connections. A transaction
//   that updates or locks a row another one changed since its snapshot fails with a serialization
//   failure and is run again, as is a deadlock victim: read-decide-write on one row (stock levels,
//   an order's status, a refresh token, a cart) keeps the meaning it had under SQLite's single
//   writer. Invariants that span rows are held by the schema: UNIQUE constraints (one live payment
//   per order, one order per cart, one line per SKU in a cart) and conditional updates. Counters
//   that every transaction would otherwise contend for are sequences (Tx::next_number).
//   (SERIALIZABLE was measured first: its predicate locks on the right-most pages of time-ordered
//   keys failed ~17 % of commits under 8 concurrent checkouts.)
// - Events published in a transaction are written to the outbox just before COMMIT while holding
//   a per-schema advisory lock until the commit is visible: outbox seqs become visible in order,
//   so a consumer reading `seq > position` never steps past a gap a slower transaction fills later.
// - Each commit that published events NOTIFYs `shop_outbox` ("<schema>:<seq>"); every instance
//   LISTENs and wakes its bus.
// - Readers: a connection per thread, read-only, autocommit.
#include <soci/soci.h>
#include <soci/postgresql/soci-postgresql.h>

#include <libpq-fe.h>
#include <poll.h>

#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <charconv>
#include <condition_variable>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "platform/db_engine.hpp"

namespace shop::db {

bool must_retry(const std::exception& e) {
    const auto* pe = dynamic_cast<const soci::postgresql_soci_error*>(&e);
    if (!pe) return false;
    auto state = pe->sqlstate();
    return state == "40001" /* serialization_failure */ || state == "40P01" /* deadlock_detected */;
}

namespace {

class PgConn : public Conn {
public:
    explicit PgConn(std::unique_ptr<soci::session> s) : Conn(std::move(s), Dialect::postgresql) {}
    PGconn* handle() { return static_cast<soci::postgresql_session_backend*>(session_->get_backend())->conn_; }
    bool broken() { return PQstatus(handle()) != CONNECTION_OK; }
    bool in_failed_transaction() { return PQtransactionStatus(handle()) == PQTRANS_INERROR; }
};

/// A stable 64-bit key for pg_advisory_lock from a name (FNV-1a).
std::int64_t lock_key(std::string_view name) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : name) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return static_cast<std::int64_t>(h);
}

/// libpq keyword/value form of a postgresql:// URL (SOCI takes keyword/value strings only):
/// user, password, host, port, database and any ?name=value query parameters.
std::string conninfo(const std::string& url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) throw std::invalid_argument("db.url is not a valid URL");
    auto quote = [](std::string_view v) {
        std::string out = "'";
        for (char c : v) {
            if (c == '\'' || c == '\\') out.push_back('\\');
            out.push_back(c);
        }
        return out + "'";
    };
    std::string out;
    auto add = [&](std::string_view k, std::string_view v) {
        if (v.empty()) return;
        if (!out.empty()) out.push_back(' ');
        out.append(k).append("=").append(quote(v));
    };
    add("host", parsed->host());
    add("port", parsed->port());
    add("user", parsed->user());
    add("password", parsed->password());
    std::string db = parsed->path();
    if (!db.empty() && db.front() == '/') db.erase(0, 1);
    add("dbname", db);
    for (auto param : parsed->params()) add(param.key, param.value);
    return out;
}

void exec_libpq(PGconn* c, const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    auto status = PQresultStatus(r);
    std::string err = (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) ? "" : PQresultErrorMessage(r);
    PQclear(r);
    if (!err.empty()) throw std::runtime_error("SQL failed: " + err);
}

bool is_unique(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const soci::postgresql_soci_error& err) {
        return err.sqlstate() == "23505";
    } catch (...) {
        return false;
    }
}

bool retryable(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& err) {
        return must_retry(err);
    } catch (...) {
        return false;
    }
}

}  // namespace

class PgEngine final : public Engine {
public:
    explicit PgEngine(const Options& o);
    ~PgEngine() override;

    Dialect dialect() const noexcept override { return Dialect::postgresql; }
    void write(std::string_view schema, WriteJob& job) override;
    Conn& reader() override { return readers_.get(); }
    void begin_snapshot(Conn& c) override { c.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
    void with_schema_writer(std::string_view schema, const std::function<void(Sql&, soci::session&)>& f) override;
    void exec_script(soci::session& s, const std::string& sql) override {
        exec_libpq(static_cast<soci::postgresql_session_backend*>(s.get_backend())->conn_, sql);
    }
    bool is_unique_violation(const std::exception_ptr& e) const override { return is_unique(e); }
    void backup_to(const std::filesystem::path&) override {
        throw std::runtime_error(
            "shop backup copies SQLite files; back up a PostgreSQL database with pg_dump (see the README)");
    }
    void watch(std::function<void(std::string_view, std::int64_t)> cb) override;

private:
    std::unique_ptr<PgConn> open(bool read_only);
    PgConn& take();
    void give_back(PgConn& c);
    void write_outbox(PgConn& c, std::string_view schema, WriteJob& job);
    void listen_loop();

    Options opts_;
    std::string conninfo_;
    std::set<std::string, std::less<>> schemas_;
    ThreadConnections readers_;

    std::mutex pool_mu_;
    std::condition_variable pool_cv_;
    std::vector<std::unique_ptr<PgConn>> writers_;
    std::vector<PgConn*> idle_;

    std::function<void(std::string_view, std::int64_t)> on_commit_;
    std::atomic<bool> stop_{false};
    std::thread listener_;
};

PgEngine::PgEngine(const Options& o)
    : opts_(o), conninfo_(conninfo(o.url)), schemas_(o.schemas.begin(), o.schemas.end()), readers_([this] { return std::unique_ptr<Conn>(open(true)); }) {
    // Schemas are created once, by whichever instance gets there first.
    auto c = open(false);
    Sql sql(*c);
    sql.exec("SELECT pg_advisory_lock(?)", lock_key("shop.schemas"));
    try {
        for (auto& s : opts_.schemas) sql.exec(fmt::format("CREATE SCHEMA IF NOT EXISTS {}", s));
    } catch (...) {
        sql.exec("SELECT pg_advisory_unlock(?)", lock_key("shop.schemas"));
        throw;
    }
    sql.exec("SELECT pg_advisory_unlock(?)", lock_key("shop.schemas"));
}

PgEngine::~PgEngine() {
    stop_ = true;
    if (listener_.joinable()) listener_.join();
    readers_.close();
}

std::unique_ptr<PgConn> PgEngine::open(bool read_only) {
    auto s = std::make_unique<soci::session>(soci::postgresql, conninfo_);
    auto c = std::make_unique<PgConn>(std::move(s));
    // NOTICEs ("relation already exists, skipping") are expected answers, not news for stderr.
    PQsetNoticeProcessor(c->handle(), [](void*, const char*) {}, nullptr);
    exec_libpq(c->handle(), fmt::format("SET application_name = 'shop'; SET lock_timeout = {}{}", opts_.busy_timeout_ms,
                                        read_only ? "; SET default_transaction_read_only = on" : ""));
    return c;
}

PgConn& PgEngine::take() {
    std::unique_lock lock(pool_mu_);
    while (true) {
        if (!idle_.empty()) {
            PgConn* c = idle_.back();
            idle_.pop_back();
            return *c;
        }
        if (static_cast<int>(writers_.size()) < std::max(1, opts_.pool_size)) {
            // Reserve the slot, connect outside the lock.
            writers_.push_back(nullptr);
            std::size_t slot = writers_.size() - 1;
            lock.unlock();
            std::unique_ptr<PgConn> fresh;
            try {
                fresh = open(false);
            } catch (...) {
                lock.lock();
                writers_.erase(writers_.begin() + static_cast<std::ptrdiff_t>(slot));
                pool_cv_.notify_one();
                throw;
            }
            lock.lock();
            writers_[slot] = std::move(fresh);
            return *writers_[slot];
        }
        pool_cv_.wait(lock);
    }
}

void PgEngine::give_back(PgConn& c) {
    std::lock_guard lock(pool_mu_);
    if (c.broken()) {
        // The server went away: drop it; the next take() connects again.
        std::erase_if(writers_, [&](auto& w) { return w.get() == &c; });
    } else {
        idle_.push_back(&c);
    }
    pool_cv_.notify_one();
}

void PgEngine::write_outbox(PgConn& c, std::string_view schema, WriteJob& job) {
    Sql sql(c);
    // Held until the commit is visible: the next publisher of this schema draws its seqs after
    // these are committed (or rolled back, leaving a gap no one can fill any more).
    sql.exec("SELECT pg_advisory_xact_lock(?)", lock_key(fmt::format("shop.outbox.{}", schema)));
    std::string insert = fmt::format("INSERT INTO {}.outbox (id, type, ordering_key, payload, correlation_id, causation_id, created_at) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
                                     schema);
    for (auto& e : job.events) {
        auto row = sql.one(insert, e.id, e.type, e.key, e.payload, e.correlation_id, e.causation_id, e.created_at);
        if (row) job.published = std::max(job.published, row->i64(0));
    }
    sql.exec("SELECT pg_notify('shop_outbox', ?)", fmt::format("{}:{}", schema, job.published));
    if (opts_.test_commit_delay_ms > 0) {
        thread_local std::minstd_rand pause(std::random_device{}());
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, opts_.test_commit_delay_ms * 1000)(pause)));
    }
}

void PgEngine::write(std::string_view schema, WriteJob& job) {
    if (!schemas_.count(schema)) throw std::logic_error(fmt::format("no schema '{}' in this database", schema));
    PgConn& c = take();
    struct GiveBack {
        PgEngine& e;
        PgConn& c;
        ~GiveBack() { e.give_back(c); }
    } give_back_on_exit{*this, c};
    thread_local std::minstd_rand jitter(std::random_device{}());
    for (int attempt = 0;; ++attempt) {
        job.reset();
        try {
            c.run("BEGIN ISOLATION LEVEL REPEATABLE READ");
        } catch (...) {
            job.error = std::current_exception();
            return;
        }
        Tx tx(c, schema, *job.ctx, job);
        tx.confine_to_schema(schemas_);
        try {
            job.call(job.fn, tx, job);
        } catch (...) {
            job.error = std::current_exception();
        }
        if (!job.error && !job.rollback) {
            try {
                // A statement that failed inside the function leaves the transaction unable to
                // commit (PostgreSQL would answer COMMIT with a silent ROLLBACK).
                if (c.in_failed_transaction())
                    throw std::runtime_error("a statement failed inside the transaction and its error was not passed on");
                if (!job.events.empty()) write_outbox(c, schema, job);
                c.run("COMMIT");
                ++groups;
                return;
            } catch (...) {
                job.error = std::current_exception();
            }
        }
        try {
            c.run("ROLLBACK");
        } catch (...) {
        }
        if (!job.error || !retryable(job.error) || attempt >= opts_.max_retries) return;
        // Lost a race: wait a little (randomly, so the racers do not collide again) and rerun.
        int cap = std::min(50, 1 << std::min(attempt, 6));
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(100, cap * 1000)(jitter)));
    }
}

void PgEngine::with_schema_writer(std::string_view schema, const std::function<void(Sql&, soci::session&)>& f) {
    if (!schemas_.count(schema)) throw std::logic_error(fmt::format("no schema '{}' in this database", schema));
    // A connection of its own, holding the migration lock: instances starting together migrate
    // one after the other, and the later ones find nothing left to do.
    auto c = open(false);
    Sql sql(*c);
    sql.exec("SELECT pg_advisory_lock(?)", lock_key("shop.migrations"));
    exec_libpq(c->handle(), fmt::format("SET search_path TO {}", schema));
    try {
        f(sql, c->session());
    } catch (...) {
        if (!c->broken()) {
            exec_libpq(c->handle(), "ROLLBACK");
            sql.exec("SELECT pg_advisory_unlock(?)", lock_key("shop.migrations"));
        }
        throw;
    }
    sql.exec("SELECT pg_advisory_unlock(?)", lock_key("shop.migrations"));
}

void PgEngine::watch(std::function<void(std::string_view, std::int64_t)> cb) {
    if (listener_.joinable()) return;
    on_commit_ = std::move(cb);
    listener_ = std::thread([this] { listen_loop(); });
}

void PgEngine::listen_loop() {
    while (!stop_) {
        try {
            auto c = open(true);
            exec_libpq(c->handle(), "LISTEN shop_outbox");
            PGconn* h = c->handle();
            while (!stop_) {
                pollfd p{PQsocket(h), POLLIN, 0};
                ::poll(&p, 1, 200);
                if (PQconsumeInput(h) == 0) throw std::runtime_error(PQerrorMessage(h));
                while (PGnotify* n = PQnotifies(h)) {
                    std::string_view payload(n->extra);
                    auto colon = payload.rfind(':');
                    std::int64_t seq = 0;
                    if (colon != std::string_view::npos) {
                        std::from_chars(payload.data() + colon + 1, payload.data() + payload.size(), seq);
                        if (on_commit_) on_commit_(payload.substr(0, colon), seq);
                    }
                    PQfreemem(n);
                }
            }
        } catch (...) {
            // The server is unreachable: the bus still polls; listen again shortly.
            for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

std::vector<RecordedMigration> postgresql_recorded_migrations(const std::string& url, const std::string& schema) {
    PgConn c(std::make_unique<soci::session>(soci::postgresql, conninfo(url)));
    PQsetNoticeProcessor(c.handle(), [](void*, const char*) {}, nullptr);
    exec_libpq(c.handle(), "SET application_name = 'shop'; SET default_transaction_read_only = on");
    Sql sql(c);
    std::vector<RecordedMigration> out;
    if (sql.count("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = 'schema_migrations'", schema) == 0)
        return out;
    for (auto& r : sql.query(fmt::format("SELECT track, version, checksum FROM {}.schema_migrations", schema)))
        out.push_back({r.str(0), static_cast<int>(r.i64(1)), r.str(2)});
    return out;
}

void postgresql_exec(const std::string& url, const std::string& sql) {
    soci::session s(soci::postgresql, conninfo(url));
    auto* c = static_cast<soci::postgresql_session_backend*>(s.get_backend())->conn_;
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
    exec_libpq(c, sql);
}

std::unique_ptr<Engine> make_postgresql_engine(const Options& o) { return std::make_unique<PgEngine>(o); }

}  // namespace shop::db
