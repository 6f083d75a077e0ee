// The backend-neutral half of platform/db: statements, rows, transactions' helpers and Database.
// The engines live in db_sqlite.cpp and db_postgresql.cpp.
#include "platform/db.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <mutex>
#include <stdexcept>

#include "platform/db_engine.hpp"
#include "platform/ids.hpp"

namespace shop::db {

// ---- statements and connections ----

Conn::~Conn() {
    cache_.clear();  // statements before their session
    session_.reset();
}

std::int64_t Conn::last_insert_rowid() { throw std::logic_error("last_insert_rowid is SQLite's"); }

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

std::string named_placeholders(std::string_view sql) {
    std::string text;
    text.reserve(sql.size() + 16);
    std::size_t n = 0;
    char quote = 0;
    for (char c : sql) {
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '?') {
            text += ":p" + std::to_string(++n);
            continue;
        }
        text.push_back(c);
    }
    return text;
}

namespace {

constexpr std::size_t kMaxCachedStatements = 1024;

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

std::atomic<std::uint64_t> g_statements{0};  // every statement of the process, for statements_executed()

}  // namespace

std::uint64_t statements_executed() noexcept { return g_statements.load(std::memory_order_relaxed); }

Stmt& Conn::acquire(std::string_view sql, std::span<const Param> params, bool query) {
    g_statements.fetch_add(1, std::memory_order_relaxed);
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
    s->key = key_;
    s->query = query;
    s->slots.resize(params.size());
    s->st = std::make_unique<soci::statement>(*session_);
    s->st->alloc();
    // PostgreSQL numbers its parameters. SOCI turns :p1, :p2 ... into $1, $2 ... itself and names
    // them in its error messages (given $n directly, it fails to describe an error and throws
    // std::out_of_range instead of the database's error).
    std::string text = sqlite() ? s->sql : named_placeholders(s->sql);
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

void Conn::discard(Stmt& s) {
    try {
        reset(s);
    } catch (...) {
    }
    auto it = cache_.find(s.key);
    if (it == cache_.end()) return;
    auto before = it->second.size();
    std::erase_if(it->second, [&](auto& p) { return p.get() == &s; });
    size_ -= before - it->second.size();
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
        discard(s);
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

Param Row::param(std::size_t i) const {
    auto& c = cell(i);
    switch (c.kind) {
        case Param::Kind::integer: return Param(c.i);
        case Param::Kind::real: return Param(c.d);
        case Param::Kind::text: return Param(std::string_view(c.s));
        default: return Param();
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

void Sql::check_confined(std::string_view sql) const {
    auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    char quote = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        char c = sql[i];
        if (quote) {
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            continue;
        }
        if (!ident(c) || (i > 0 && ident(sql[i - 1]))) continue;
        std::size_t end = i;
        while (end < sql.size() && ident(sql[end])) ++end;
        std::string_view name = sql.substr(i, end - i);
        if (end < sql.size() && sql[end] == '.' && name != own_ && confine_->count(name))
            throw std::logic_error(fmt::format("a transaction of schema '{}' names schema '{}': {}", own_, name, sql));
        i = end - 1;
    }
}

std::int64_t Sql::exec_params(std::string_view sql, std::span<const Param> params) {
    if (confine_) check_confined(sql);
    return conn_.exec(sql, params);
}

Rows Sql::query_params(std::string_view sql, std::span<const Param> params) {
    if (confine_) check_confined(sql);
    Stmt& s = conn_.acquire(sql, params, true);
    try {
        for (std::size_t i = 0; i < params.size(); ++i) bind_value(s.slots[i], params[i]);
        bool has = s.st->execute(true);
        return Rows(conn_, s, has);
    } catch (...) {
        conn_.discard(s);
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
    if (!conn_.sqlite()) {
        // Written at commit, under the schema's outbox lock (see WriteJob::events).
        job_.events.push_back({id, type, key, payload, ctx_->correlation_id, ctx_->causation_id, now_iso8601()});
        return id;
    }
    // One writer per schema: seqs commit in order by construction. (SQLite builds RETURNING
    // results in a temporary table: the rowid is cheaper.)
    exec(insert, id, type, key, payload, ctx_->correlation_id, ctx_->causation_id, now_iso8601());
    seq = conn_.last_insert_rowid();
    job_.published = std::max(job_.published, seq);
    return id;
}

std::int64_t Tx::next_number(std::string_view counter) {
    if (counter.substr(0, counter.find('.')) != schema_ || counter.find('.') == std::string_view::npos)
        throw std::logic_error(fmt::format("counter '{}' is not a table of schema '{}'", counter, schema_));
    if (conn_.sqlite()) return count(fmt::format("UPDATE {} SET value = value + 1 RETURNING value", counter));
    return count("SELECT nextval(?)", counter);
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

// ---- connections per thread ----

struct ThreadConnections::Pool {
    std::uint64_t id;
    std::mutex mu;
    std::vector<std::unique_ptr<Conn>> all;
    std::vector<Conn*> free;
};

namespace {

std::atomic<std::uint64_t> g_pool_ids{1};

/// The connections this thread holds, one per pool; returned to their pool when the thread ends.
struct ThreadHeld {
    struct Entry {
        std::uint64_t pool_id;
        std::weak_ptr<ThreadConnections::Pool> pool;
        Conn* conn;
    };
    std::vector<Entry> entries;
    ~ThreadHeld() {
        for (auto& e : entries)
            if (auto p = e.pool.lock()) {
                std::lock_guard lock(p->mu);
                p->free.push_back(e.conn);
            }
    }
};
thread_local ThreadHeld t_held;

}  // namespace

ThreadConnections::ThreadConnections(std::function<std::unique_ptr<Conn>()> open)
    : pool_(std::make_shared<Pool>()), open_(std::move(open)) {
    pool_->id = g_pool_ids++;
}

ThreadConnections::~ThreadConnections() { close(); }

void ThreadConnections::close() {
    std::lock_guard lock(pool_->mu);
    pool_->free.clear();
    pool_->all.clear();
}

Conn& ThreadConnections::get() {
    auto& entries = t_held.entries;
    for (auto& e : entries)
        if (e.pool_id == pool_->id) return *e.conn;
    std::erase_if(entries, [](auto& e) { return e.pool.expired(); });
    Conn* conn = nullptr;
    {
        std::lock_guard lock(pool_->mu);
        if (!pool_->free.empty()) {
            conn = pool_->free.back();
            pool_->free.pop_back();
        }
    }
    if (!conn) {
        auto fresh = open_();
        std::lock_guard lock(pool_->mu);
        pool_->all.push_back(std::move(fresh));
        conn = pool_->all.back().get();
    }
    entries.push_back({pool_->id, pool_, conn});
    return *conn;
}

// ---- Database ----

namespace {

bool is_postgresql_url(std::string_view url) { return url.starts_with("postgresql://") || url.starts_with("postgres://"); }

std::unique_ptr<Engine> make_engine(const Options& o) {
    if (o.url.empty() || o.url == "sqlite") return make_sqlite_engine(o);
    if (is_postgresql_url(o.url)) return make_postgresql_engine(o);
    throw std::invalid_argument("db.url must be empty (SQLite files in the data directory) or postgresql://...");
}

}  // namespace

Database::Database(Options opts) : opts_(std::move(opts)), engine_(make_engine(opts_)) {}

Database::~Database() = default;

std::string_view Database::dialect() const noexcept { return engine_->dialect() == Dialect::sqlite ? "sqlite" : "postgresql"; }

void Database::on_publish(std::function<void(std::string_view schema, std::int64_t seq)> cb) {
    on_publish_ = std::move(cb);
    engine_->watch(on_publish_);
}

void Database::run_write(std::string_view schema, WriteJob& job) {
    auto t0 = std::chrono::steady_clock::now();
    ++engine_->in_flight;
    try {
        engine_->write(schema, job);
    } catch (...) {
        --engine_->in_flight;
        throw;
    }
    --engine_->in_flight;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::size_t bucket = 0;
    while (bucket < WriteStats::kBuckets.size() && secs > WriteStats::kBuckets[bucket]) ++bucket;
    ++engine_->duration_buckets[bucket];
    engine_->duration_sum_us += static_cast<std::uint64_t>(secs * 1e6);
    ++engine_->transactions;
    if (job.error) {
        ++engine_->failed;
        if (engine_->is_unique_violation(job.error))
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
    if (c.snapshot_depth++ == 0) engine_->begin_snapshot(c);
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
    engine_->with_schema_writer(schema, f);
}

void Database::exec_script(soci::session& s, const std::string& sql) { engine_->exec_script(s, sql); }

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
    WriteStats w{engine_->transactions.load(), engine_->groups.load(), engine_->failed.load(), engine_->in_flight.load()};
    for (std::size_t k = 0; k < w.duration_buckets.size(); ++k) w.duration_buckets[k] = engine_->duration_buckets[k].load();
    w.duration_sum_s = static_cast<double>(engine_->duration_sum_us.load()) / 1e6;
    return w;
}

void Database::backup_to(const std::filesystem::path& dir) { engine_->backup_to(dir); }

}  // namespace shop::db
