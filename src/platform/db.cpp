#include "platform/db.hpp"

#include <soci/soci.h>
// soci-sqlite3.h wraps <sqlite3.h> in namespace sqlite_api; this file must not include <sqlite3.h>.
#include <soci/sqlite3/soci-sqlite3.h>

#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <set>
#include <thread>
#include <unordered_map>

#include "platform/ids.hpp"
#include "platform/sqlite_vfs.hpp"

namespace shop::db {

// ---- statements and connections ----

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
};

/// A connection and its statement cache. Used by one thread at a time.
class Conn {
public:
    Conn(std::unique_ptr<soci::session> s, bool sqlite) : session_(std::move(s)), sqlite_(sqlite) {}
    ~Conn() {
        cache_.clear();  // statements before their session
        session_.reset();
    }

    soci::session& session() { return *session_; }
    bool sqlite() const noexcept { return sqlite_; }
    sqlite_api::sqlite3* handle() {
        return static_cast<soci::sqlite3_session_backend*>(session_->get_backend())->conn_;
    }

    Stmt& acquire(std::string_view sql, std::span<const Param> params, bool query);
    void release(Stmt& s) {
        reset(s);
        s.busy = false;
    }
    void reset(Stmt& s) {
        if (sqlite_) sqlite_api::sqlite3_reset(static_cast<soci::sqlite3_statement_backend*>(s.st->get_backend())->stmt_);
    }
    /// Copies the statement's current row into `out`, reusing its buffers.
    static void load_row(const soci::row& r, Row& out);

    std::int64_t exec(std::string_view sql, std::span<const Param> params);
    /// A fixed statement (BEGIN, COMMIT, SAVEPOINT ...), cached like any other.
    void run(std::string_view sql) { exec(sql, {}); }

    int snapshot_depth = 0;

private:
    std::unique_ptr<soci::session> session_;
    bool sqlite_;
    std::unordered_map<std::string, std::vector<std::unique_ptr<Stmt>>> cache_;
    std::string key_;
    std::size_t size_ = 0;
};

namespace {

constexpr std::size_t kMaxCachedStatements = 1024;

std::size_t count_placeholders(std::string_view sql) {
    std::size_t n = 0;
    char quote = 0;
    for (char c : sql) {
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '?') {
            ++n;
        }
    }
    return n;
}

void bind_value(Stmt::Slot& slot, const Param& p) {
    if (p.kind == Param::Kind::null) {
        slot.ind = soci::i_null;
        return;
    }
    slot.ind = soci::i_ok;
    switch (slot.kind) {
        case Param::Kind::integer: slot.i = p.i; break;
        case Param::Kind::real: slot.d = p.kind == Param::Kind::integer ? static_cast<double>(p.i) : p.d; break;
        default: slot.s.assign(p.s); break;
    }
}

}  // namespace

Stmt& Conn::acquire(std::string_view sql, std::span<const Param> params, bool query) {
    key_.clear();
    key_.push_back(query ? 'q' : 'x');
    for (auto& p : params) key_.push_back(static_cast<char>(p.kind));
    key_.push_back('\0');
    key_.append(sql);
    auto& list = cache_[key_];
    for (auto& s : list)
        if (!s->busy) {
            s->busy = true;
            return *s;
        }
    if (size_ >= kMaxCachedStatements) {
        // Dynamic SQL must not grow the cache without bound: forget every idle statement.
        size_ = 0;
        for (auto& [k, v] : cache_) {
            std::erase_if(v, [](auto& s) { return !s->busy; });
            size_ += v.size();
        }
    }
    if (count_placeholders(sql) != params.size())
        throw std::logic_error(fmt::format("SQL has {} placeholders but {} arguments: {}", count_placeholders(sql), params.size(), sql));
    auto s = std::make_unique<Stmt>();
    s->sql = std::string(sql);
    s->query = query;
    s->slots.resize(params.size());
    s->st = std::make_unique<soci::statement>(*session_);
    s->st->alloc();
    std::string text = s->sql;
    if (!sqlite_) {
        // PostgreSQL numbers its parameters: ? -> $1, $2, ... (outside quotes).
        text.clear();
        std::size_t n = 0;
        char quote = 0;
        for (char c : s->sql) {
            if (quote) {
                if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '?') {
                text += "$" + std::to_string(++n);
                continue;
            }
            text.push_back(c);
        }
    }
    s->st->prepare(text);
    for (std::size_t i = 0; i < params.size(); ++i) {
        auto& slot = s->slots[i];
        slot.kind = params[i].kind == Param::Kind::null ? Param::Kind::text : params[i].kind;
        switch (slot.kind) {
            case Param::Kind::integer: s->st->exchange(soci::use(slot.i, slot.ind)); break;
            case Param::Kind::real: s->st->exchange(soci::use(slot.d, slot.ind)); break;
            default: s->st->exchange(soci::use(slot.s, slot.ind)); break;
        }
    }
    if (query) s->st->exchange(soci::into(s->row));
    s->st->define_and_bind();
    s->busy = true;
    list.push_back(std::move(s));
    ++size_;
    return *list.back();
}

void Conn::load_row(const soci::row& r, Row& out) {
    out.cells_.resize(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) {
        auto& c = out.cells_[i];
        if (r.get_indicator(i) == soci::i_null) {
            c.kind = Param::Kind::null;
            continue;
        }
        switch (r.get_properties(i).get_data_type()) {
            case soci::dt_integer:
                c.kind = Param::Kind::integer;
                c.i = r.get<int>(i);
                break;
            case soci::dt_long_long:
                c.kind = Param::Kind::integer;
                c.i = r.get<long long>(i);
                break;
            case soci::dt_unsigned_long_long:
                c.kind = Param::Kind::integer;
                c.i = static_cast<std::int64_t>(r.get<unsigned long long>(i));
                break;
            case soci::dt_double:
                c.kind = Param::Kind::real;
                c.d = r.get<double>(i);
                break;
            default:
                c.kind = Param::Kind::text;
                c.s = r.get<std::string>(i);
                break;
        }
    }
}

std::int64_t Conn::exec(std::string_view sql, std::span<const Param> params) {
    Stmt& s = acquire(sql, params, false);
    try {
        for (std::size_t i = 0; i < params.size(); ++i) bind_value(s.slots[i], params[i]);
        s.st->execute(true);
        std::int64_t n = s.st->get_affected_rows();
        release(s);
        return n;
    } catch (...) {
        release(s);
        throw;
    }
}

// ---- Row ----

const Row::Cell& Row::cell(std::size_t i) const {
    if (i >= cells_.size()) throw std::out_of_range(fmt::format("row has {} columns, column {} asked", cells_.size(), i));
    return cells_[i];
}

std::int64_t Row::i64(std::size_t i) const {
    auto& c = cell(i);
    switch (c.kind) {
        case Param::Kind::integer: return c.i;
        case Param::Kind::real: return static_cast<std::int64_t>(c.d);
        case Param::Kind::text: {
            std::int64_t v = 0;
            auto [p, ec] = std::from_chars(c.s.data(), c.s.data() + c.s.size(), v);
            if (ec != std::errc{}) throw std::runtime_error("column " + std::to_string(i) + " is not an integer: " + c.s);
            return v;
        }
        default: return 0;
    }
}

double Row::f64(std::size_t i) const {
    auto& c = cell(i);
    switch (c.kind) {
        case Param::Kind::integer: return static_cast<double>(c.i);
        case Param::Kind::real: return c.d;
        case Param::Kind::text: return std::stod(c.s);
        default: return 0;
    }
}

std::string Row::str(std::size_t i) const {
    auto& c = cell(i);
    switch (c.kind) {
        case Param::Kind::integer: return std::to_string(c.i);
        case Param::Kind::real: return fmt::format("{}", c.d);
        case Param::Kind::text: return c.s;
        default: return {};
    }
}

std::optional<std::string> Row::opt_str(std::size_t i) const {
    if (is_null(i)) return std::nullopt;
    return str(i);
}

// ---- Rows ----

Rows::Rows(Conn& c, Stmt& s, bool has_row) : conn_(&c), stmt_(&s), has_row_(has_row) {
    if (has_row_) Conn::load_row(stmt_->row, row_);
}

Rows::Rows(Rows&& o) noexcept : conn_(o.conn_), stmt_(o.stmt_), has_row_(o.has_row_), row_(std::move(o.row_)) {
    o.stmt_ = nullptr;
}

Rows::~Rows() {
    if (stmt_) conn_->release(*stmt_);
}

bool Rows::advance() {
    if (!stmt_->st->fetch()) return false;
    Conn::load_row(stmt_->row, row_);
    return true;
}

// ---- Sql ----

std::int64_t Sql::exec_params(std::string_view sql, std::span<const Param> params) { return conn_.exec(sql, params); }

Rows Sql::query_params(std::string_view sql, std::span<const Param> params) {
    Stmt& s = conn_.acquire(sql, params, true);
    try {
        for (std::size_t i = 0; i < params.size(); ++i) bind_value(s.slots[i], params[i]);
        bool has = s.st->execute(true);
        return Rows(conn_, s, has);
    } catch (...) {
        conn_.release(s);
        throw;
    }
}

std::optional<Row> Sql::one_params(std::string_view sql, std::span<const Param> params) {
    auto rows = query_params(sql, params);
    for (auto& r : rows) return r;
    return std::nullopt;
}

std::string_view Sql::dialect() const noexcept { return conn_.sqlite() ? "sqlite" : "postgresql"; }

// ---- Tx ----

std::string Tx::publish_raw(const std::string& type, const std::string& key, const std::string& payload) {
    std::string id = new_id("evt");
    std::int64_t seq = 0;
    std::string insert = fmt::format("INSERT INTO {}.outbox (id, type, ordering_key, payload, correlation_id, causation_id, created_at) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                     schema_);
    if (conn_.sqlite()) {
        // (SQLite builds RETURNING results in a temporary table: the rowid is cheaper.)
        exec(insert, id, type, key, payload, ctx_->correlation_id, ctx_->causation_id, now_iso8601());
        seq = sqlite_api::sqlite3_last_insert_rowid(conn_.handle());
    } else {
        auto r = one(insert + " RETURNING seq", id, type, key, payload, ctx_->correlation_id, ctx_->causation_id, now_iso8601());
        seq = r ? r->i64(0) : 0;
    }
    job_.published = std::max(job_.published, seq);
    return id;
}

void Tx::after_commit(std::function<void()> f) { job_.after_commit.push_back(std::move(f)); }

void Tx::reply(const boost::json::value& body) {
    const auto* claim = ctx_->idempotency;
    if (!claim || claim->schema != schema_) return;
    if (claim->recorded) {
        // A later step of the same request (payment settles after recording its intent).
        exec(fmt::format("UPDATE {}.idempotency_keys SET body = ? WHERE scope = ? AND key = ?", schema_), boost::json::serialize(body),
             claim->scope, claim->key);
        return;
    }
    // A plain INSERT: a concurrent request with the same key that got here first makes this one
    // fail as a whole (UNIQUE violation -> 409), and the pipeline answers it with the stored reply.
    exec(fmt::format("INSERT INTO {}.idempotency_keys (scope, key, fingerprint, body, created_ms) VALUES (?, ?, ?, ?, ?)", schema_),
         claim->scope, claim->key, claim->fingerprint, boost::json::serialize(body), now_ms());
    after_commit([claim] { claim->recorded = true; });
}

// ---- the SQLite engine ----

class Engine {
public:
    explicit Engine(const Options& o);
    ~Engine();

    struct WalHook {
        Engine* engine;
        std::string schema;
    };
    static int wal_hook(void* arg, sqlite_api::sqlite3* db, const char* name, int pages);
    struct Writer {
        std::string schema;
        std::unique_ptr<Conn> conn;
        std::unique_ptr<WalHook> hook;
        std::mutex mu;
        std::condition_variable cv;
        std::vector<WriteJob*> queue;
        bool busy = false;
    };

    Writer& writer(std::string_view schema) {
        auto it = writers_.find(schema);
        if (it == writers_.end()) throw std::logic_error(fmt::format("no schema '{}' in this database", schema));
        return *it->second;
    }
    std::unique_ptr<Conn> open(const std::vector<std::string>& attach, bool read_only);
    /// Runs `job` in a group on its schema's writer; returns when it is done (committed or not).
    void write(Writer& w, WriteJob& job);
    Conn& reader();
    /// Takes `w` for exclusive use: no group runs on it until give_back().
    void take(Writer& w) {
        std::unique_lock lock(w.mu);
        w.cv.wait(lock, [&] { return !w.busy; });
        w.busy = true;
    }
    void give_back(Writer& w) {
        {
            std::lock_guard lock(w.mu);
            w.busy = false;
        }
        w.cv.notify_all();
    }

    std::atomic<std::uint64_t> transactions{0}, groups{0}, failed{0};
    std::map<std::string, std::unique_ptr<Writer>, std::less<>> writers_;

    /// A writer's commit left `pages` frames in its schema's WAL (sqlite3_wal_hook).
    void wal_grew(const std::string& schema, int pages);

private:
    void checkpoint_loop();

    void run_group(Writer& w, std::vector<WriteJob*>& group);

    Options opts_;
    struct ReaderPool {
        std::uint64_t id;
        std::mutex mu;
        std::vector<std::unique_ptr<Conn>> all;
        std::vector<Conn*> free;
    };
    std::shared_ptr<ReaderPool> readers_;

    // WAL checkpoints run on their own thread and connection, so no commit waits for the copy
    // back into the database file and its fsync. A writer checkpoints itself only when the WAL has
    // grown far beyond the threshold (the checkpointer cannot keep up).
    // A larger threshold copies each hot page (index right edges, outbox tail) back once for many
    // commits instead of once for a few.
    static constexpr int kCheckpointPages = 8000;
    static constexpr int kWriterCheckpointPages = 40000;
    std::unique_ptr<Conn> checkpointer_;
    std::mutex ckpt_mu_;
    std::condition_variable ckpt_cv_;
    std::set<std::string> ckpt_due_;
    bool ckpt_stop_ = false;
    std::thread ckpt_thread_;
};

namespace {

std::atomic<std::uint64_t> g_pool_ids{1};

/// The reader connections this thread holds, one per open database; returned to their pool when
/// the thread ends.
struct ThreadReaders {
    struct Entry {
        std::uint64_t pool_id;
        std::weak_ptr<void> pool;
        Conn* conn;
        std::function<void(Conn*)> give_back;
    };
    std::vector<Entry> entries;
    ~ThreadReaders() {
        for (auto& e : entries)
            if (auto alive = e.pool.lock()) e.give_back(e.conn);
    }
};
thread_local ThreadReaders t_readers;

bool is_unique_violation(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const soci::sqlite3_soci_error& err) {
        int code = err.result();
        return code == 2067 /* SQLITE_CONSTRAINT_UNIQUE */ || code == 1555 /* SQLITE_CONSTRAINT_PRIMARYKEY */;
    } catch (...) {
        return false;
    }
}

}  // namespace

Engine::Engine(const Options& o) : opts_(o) {
    install_wal_coalescing_vfs();
    if (opts_.schemas.size() > 10) throw std::invalid_argument("SQLite attaches at most 10 schemas");
    if (opts_.synchronous != "normal" && opts_.synchronous != "full")
        throw std::invalid_argument("db.synchronous must be normal or full");
    std::filesystem::create_directories(opts_.dir);
    for (auto& schema : opts_.schemas) {
        auto w = std::make_unique<Writer>();
        w->schema = schema;
        w->conn = open({schema}, false);
        w->hook = std::make_unique<WalHook>(WalHook{this, schema});
        sqlite_api::sqlite3_wal_hook(w->conn->handle(), &Engine::wal_hook, w->hook.get());
        writers_.emplace(schema, std::move(w));
    }
    readers_ = std::make_shared<ReaderPool>();
    readers_->id = g_pool_ids++;
    if (!opts_.schemas.empty()) {
        checkpointer_ = open(opts_.schemas, false);
        ckpt_thread_ = std::thread([this] { checkpoint_loop(); });
    }
}

int Engine::wal_hook(void* arg, sqlite_api::sqlite3* db, const char* name, int pages) {
    auto* h = static_cast<WalHook*>(arg);
    if (pages >= kWriterCheckpointPages) {
        // The checkpointer cannot keep up: the writer copies back itself (what SQLite's own
        // autocheckpoint would do here), so the WAL stays bounded.
        sqlite_api::sqlite3_wal_checkpoint_v2(db, name, 0 /* SQLITE_CHECKPOINT_PASSIVE */, nullptr, nullptr);
        return 0;
    }
    h->engine->wal_grew(h->schema, pages);
    return 0;  // SQLITE_OK
}

void Engine::wal_grew(const std::string& schema, int pages) {
    if (pages < kCheckpointPages) return;
    {
        std::lock_guard lock(ckpt_mu_);
        ckpt_due_.insert(schema);
    }
    ckpt_cv_.notify_one();
}

void Engine::checkpoint_loop() {
    std::unique_lock lock(ckpt_mu_);
    while (!ckpt_stop_) {
        ckpt_cv_.wait(lock, [&] { return ckpt_stop_ || !ckpt_due_.empty(); });
        auto due = std::move(ckpt_due_);
        ckpt_due_.clear();
        lock.unlock();
        for (auto& schema : due) {
            try {
                checkpointer_->session() << fmt::format("PRAGMA {}.wal_checkpoint(PASSIVE)", schema);
            } catch (...) {
                // Busy or failing now: the next commit asks again.
            }
        }
        lock.lock();
    }
}

Engine::~Engine() {
    {
        std::lock_guard lock(ckpt_mu_);
        ckpt_stop_ = true;
    }
    ckpt_cv_.notify_all();
    if (ckpt_thread_.joinable()) ckpt_thread_.join();
    checkpointer_.reset();
    // Fold each WAL back into its file so a stopped data directory is self-contained.
    for (auto& [schema, w] : writers_) {
        try {
            w->conn->session() << fmt::format("PRAGMA {}.wal_checkpoint(TRUNCATE)", schema);
        } catch (...) {
        }
    }
    std::lock_guard lock(readers_->mu);
    readers_->free.clear();
    readers_->all.clear();
}

std::unique_ptr<Conn> Engine::open(const std::vector<std::string>& attach, bool read_only) {
    // The main database is a private in-memory one: every schema is an attached file, and a
    // writer attaches only its own, so its transactions lock and can touch nothing else.
    auto s = std::make_unique<soci::session>(soci::sqlite3, fmt::format("db=:memory: timeout={}", std::max(1, opts_.busy_timeout_ms / 1000)));
    auto c = std::make_unique<Conn>(std::move(s), true);
    sqlite_api::sqlite3_extended_result_codes(c->handle(), 1);
    auto& ses = c->session();
    ses << fmt::format("PRAGMA busy_timeout={}", opts_.busy_timeout_ms);
    ses << "PRAGMA foreign_keys=ON";
    ses << "PRAGMA temp_store=MEMORY";
    for (auto& schema : attach) {
        std::string file = (opts_.dir / (schema + ".db")).string();
        ses << "ATTACH DATABASE :file AS " + schema, soci::use(file);
        ses << fmt::format("PRAGMA {}.journal_mode=WAL", schema);
        ses << fmt::format("PRAGMA {}.synchronous={}", schema, opts_.synchronous);
        ses << fmt::format("PRAGMA {}.cache_size=-{}", schema, opts_.cache_kib);
    }
    if (read_only) ses << "PRAGMA query_only=1";
    return c;
}

Conn& Engine::reader() {
    auto& entries = t_readers.entries;
    for (auto& e : entries)
        if (e.pool_id == readers_->id) return *e.conn;
    std::erase_if(entries, [](auto& e) { return e.pool.expired(); });
    Conn* conn = nullptr;
    {
        std::lock_guard lock(readers_->mu);
        if (!readers_->free.empty()) {
            conn = readers_->free.back();
            readers_->free.pop_back();
        }
    }
    if (!conn) {
        auto fresh = open(opts_.schemas, true);
        std::lock_guard lock(readers_->mu);
        readers_->all.push_back(std::move(fresh));
        conn = readers_->all.back().get();
    }
    std::weak_ptr<ReaderPool> weak = readers_;
    entries.push_back({readers_->id, readers_, conn, [weak](Conn* c) {
                           if (auto p = weak.lock()) {
                               std::lock_guard lock(p->mu);
                               p->free.push_back(c);
                           }
                       }});
    return *conn;
}

void Engine::write(Writer& w, WriteJob& job) {
    std::unique_lock lock(w.mu);
    w.queue.push_back(&job);
    while (!job.done) {
        if (w.busy) {
            w.cv.wait(lock);
            continue;
        }
        // Lead a group: everything queued so far (up to group_max) commits together.
        w.busy = true;
        std::vector<WriteJob*> group;
        std::size_t n = std::min<std::size_t>(w.queue.size(), static_cast<std::size_t>(std::max(1, opts_.group_max)));
        group.assign(w.queue.begin(), w.queue.begin() + static_cast<std::ptrdiff_t>(n));
        w.queue.erase(w.queue.begin(), w.queue.begin() + static_cast<std::ptrdiff_t>(n));
        lock.unlock();
        run_group(w, group);
        lock.lock();
        for (auto* j : group) j->done = true;
        w.busy = false;
        w.cv.notify_all();
    }
}

void Engine::run_group(Writer& w, std::vector<WriteJob*>& group) {
    Conn& c = *w.conn;
    auto in_tx = [&] { return sqlite_api::sqlite3_get_autocommit(c.handle()) == 0; };
    std::vector<WriteJob*> live = group;
    for (int round = 0; !live.empty(); ++round) {
        bool single = live.size() == 1;
        try {
            c.run("BEGIN IMMEDIATE");
        } catch (...) {
            for (auto* j : live) j->error = std::current_exception();
            return;
        }
        bool aborted = false;
        for (auto* j : live) {
            j->published = 0;
            j->after_commit.clear();
            j->rollback = false;
            j->error = nullptr;
            if (!single) c.run("SAVEPOINT job");
            Tx tx(c, w.schema, *j->ctx, *j);
            try {
                j->call(j->fn, tx, *j);
            } catch (...) {
                j->error = std::current_exception();
            }
            bool failed = j->error || j->rollback;
            if (!in_tx()) {
                // SQLite rolled the whole transaction back by itself (I/O error, out of memory,
                // busy): every other job of the group lost its work too. Run them again without
                // this one, whose error stands.
                if (!j->error) j->error = std::make_exception_ptr(std::runtime_error("the transaction was rolled back by SQLite"));
                std::erase(live, j);
                aborted = true;
                break;
            }
            if (single) break;
            if (failed) c.run("ROLLBACK TO job");
            c.run("RELEASE job");
        }
        if (aborted) {
            if (round > 2) {
                for (auto* j : live) j->error = std::make_exception_ptr(std::runtime_error("the write group was rolled back repeatedly"));
                return;
            }
            continue;
        }
        bool any = false;
        for (auto* j : live) any = any || !(j->error || j->rollback);
        try {
            if (any) c.run("COMMIT");
            else c.run("ROLLBACK");
        } catch (...) {
            auto e = std::current_exception();
            try {
                if (in_tx()) c.run("ROLLBACK");
            } catch (...) {
            }
            for (auto* j : live)
                if (!j->error && !j->rollback) j->error = e;
        }
        if (any) ++groups;
        return;
    }
}

// ---- Database ----

Database::Database(Options opts) : opts_(std::move(opts)), engine_(std::make_unique<Engine>(opts_)) {}

Database::~Database() = default;

std::string_view Database::dialect() const noexcept { return "sqlite"; }

void Database::run_write(std::string_view schema, WriteJob& job) {
    auto& w = engine_->writer(schema);
    engine_->write(w, job);
    ++engine_->transactions;
    if (job.error) {
        ++engine_->failed;
        if (is_unique_violation(job.error))
            throw ErrorException(Error(errc::conflict, "the request conflicts with a concurrent change; retry it"));
        std::rethrow_exception(job.error);
    }
    if (job.rollback) {
        ++engine_->failed;
        return;
    }
    if (job.published && on_publish_) on_publish_(schema, job.published);
    for (auto& f : job.after_commit) f();
}

Conn& Database::reader() { return engine_->reader(); }

void Database::begin_snapshot(Conn& c) {
    if (c.snapshot_depth++ == 0) c.run("BEGIN");
}

void Database::end_snapshot(Conn& c) {
    if (--c.snapshot_depth == 0) {
        try {
            c.run("COMMIT");
        } catch (...) {
        }
    }
}

void Database::with_schema_writer(std::string_view schema, const std::function<void(Sql&, soci::session&)>& f) {
    auto& w = engine_->writer(schema);
    engine_->take(w);
    try {
        Sql sql(*w.conn);
        f(sql, w.conn->session());
    } catch (...) {
        engine_->give_back(w);
        throw;
    }
    engine_->give_back(w);
}

void Database::exec_script(soci::session& s, const std::string& sql) {
    auto* backend = static_cast<soci::sqlite3_session_backend*>(s.get_backend());
    char* err = nullptr;
    int rc = sqlite_api::sqlite3_exec(backend->conn_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != 0) {
        std::string msg = err ? err : "unknown error";
        sqlite_api::sqlite3_free(err);
        throw std::runtime_error("SQL script failed: " + msg);
    }
}

std::optional<StoredReply> Database::stored_reply(std::string_view schema, std::string_view scope, std::string_view key) {
    return read([&](Reader& r) -> std::optional<StoredReply> {
        auto row = r.one(fmt::format("SELECT fingerprint, body FROM {}.idempotency_keys WHERE scope = ? AND key = ?", schema), scope, key);
        if (!row) return std::nullopt;
        return StoredReply{row->str(0), row->str(1)};
    });
}

std::int64_t Database::purge_replies(std::int64_t before_ms) {
    std::int64_t n = 0;
    Ctx ctx = Ctx::system("idempotency.purge");
    for (auto& schema : opts_.schemas)
        n += write(schema, ctx, [&](Tx& tx) {
            return tx.exec(fmt::format("DELETE FROM {}.idempotency_keys WHERE created_ms < ?", schema), before_ms);
        });
    return n;
}

bool Database::healthy() {
    try {
        return read([](Reader& r) { return r.count("SELECT 1") == 1; });
    } catch (...) {
        return false;
    }
}

Database::WriteStats Database::write_stats() const {
    return {engine_->transactions.load(), engine_->groups.load(), engine_->failed.load()};
}

void Database::backup_to(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    // A read transaction on one connection over every file, begun while no commit can land (every
    // writer held, every file write-locked against other processes too): one consistent moment,
    // so a consumer is never copied ahead of the outbox it reads. The writers are released as
    // soon as it exists; the copy then reads that snapshot while writes go on.
    auto snapshot = engine_->open(opts_.schemas, true);
    {
        for (auto& [schema, w] : engine_->writers_) engine_->take(*w);
        std::vector<Engine::Writer*> locked;
        auto release = [&] {
            for (auto* w : locked) {
                try {
                    w->conn->run("ROLLBACK");
                } catch (...) {
                }
            }
            for (auto& [schema, w] : engine_->writers_) engine_->give_back(*w);
        };
        try {
            for (auto& [schema, w] : engine_->writers_) {
                w->conn->run("BEGIN IMMEDIATE");
                locked.push_back(w.get());
            }
            snapshot->run("BEGIN");
            for (auto& schema : opts_.schemas) Sql(*snapshot).count(fmt::format("SELECT COUNT(*) FROM {}.sqlite_master", schema));
        } catch (...) {
            release();
            throw;
        }
        release();
    }
    for (auto& schema : opts_.schemas) {
        auto target = (dir / (schema + ".db")).string();
        std::filesystem::remove(target);
        sqlite_api::sqlite3* dst = nullptr;
        if (sqlite_api::sqlite3_open(target.c_str(), &dst) != 0) {
            sqlite_api::sqlite3_close(dst);
            throw std::runtime_error("cannot create backup file " + target);
        }
        auto* b = sqlite_api::sqlite3_backup_init(dst, "main", snapshot->handle(), schema.c_str());
        int rc = b ? sqlite_api::sqlite3_backup_step(b, -1) : -1;
        if (b) sqlite_api::sqlite3_backup_finish(b);
        std::string err = sqlite_api::sqlite3_errmsg(dst);
        sqlite_api::sqlite3_close(dst);
        if (rc != 101 /* SQLITE_DONE */) throw std::runtime_error("backup of " + schema + " failed: " + err);
    }
    snapshot->run("COMMIT");
}

}  // namespace shop::db
