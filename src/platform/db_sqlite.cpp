// The SQLite engine: a writer connection per schema file, group commit, thread-local readers.
#include <soci/soci.h>
// soci-sqlite3.h wraps <sqlite3.h> in namespace sqlite_api; this file must not include <sqlite3.h>.
#include <soci/sqlite3/soci-sqlite3.h>

#include <fmt/format.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "platform/db_engine.hpp"
#include "platform/sqlite_vfs.hpp"

namespace shop::db {

namespace {

class SqliteConn : public Conn {
public:
    explicit SqliteConn(std::unique_ptr<soci::session> s) : Conn(std::move(s), Dialect::sqlite) {}
    sqlite_api::sqlite3* handle() { return static_cast<soci::sqlite3_session_backend*>(session_->get_backend())->conn_; }
    void reset(Stmt& s) override {
        sqlite_api::sqlite3_reset(static_cast<soci::sqlite3_statement_backend*>(s.st->get_backend())->stmt_);
    }
    std::int64_t last_insert_rowid() override { return sqlite_api::sqlite3_last_insert_rowid(handle()); }
};

}  // namespace

// ---- the SQLite engine ----

class SqliteEngine final : public Engine {
public:
    explicit SqliteEngine(const Options& o);
    ~SqliteEngine() override;

    Dialect dialect() const noexcept override { return Dialect::sqlite; }
    void write(std::string_view schema, WriteJob& job) override { write(writer(schema), job); }
    Conn& reader() override { return readers_.get(); }
    void begin_snapshot(Conn& c) override { c.run("BEGIN"); }
    void with_schema_writer(std::string_view schema, const std::function<void(Sql&, soci::session&)>& f) override;
    void exec_script(soci::session& s, const std::string& sql) override;
    bool is_unique_violation(const std::exception_ptr& e) const override;
    void backup_to(const std::filesystem::path& dir) override;

private:
    struct WalHook {
        SqliteEngine* engine;
        std::string schema;
    };
    static int wal_hook(void* arg, sqlite_api::sqlite3* db, const char* name, int pages);
    struct Writer {
        std::string schema;
        std::unique_ptr<SqliteConn> conn;
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
    std::unique_ptr<SqliteConn> open(const std::vector<std::string>& attach, bool read_only);
    /// Runs `job` in a group on its schema's writer; returns when it is done (committed or not).
    void write(Writer& w, WriteJob& job);
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

    /// A writer's commit left `pages` frames in its schema's WAL (sqlite3_wal_hook).
    void wal_grew(const std::string& schema, int pages);
    void checkpoint_loop();
    void run_group(Writer& w, std::vector<WriteJob*>& group);

    Options opts_;
    std::map<std::string, std::unique_ptr<Writer>, std::less<>> writers_;
    ThreadConnections readers_;

    // WAL checkpoints run on their own thread and connection, so no commit waits for the copy
    // back into the database file and its fsync. A writer checkpoints itself only when the WAL has
    // grown far beyond the threshold (the checkpointer cannot keep up).
    // A larger threshold copies each hot page (index right edges, outbox tail) back once for many
    // commits instead of once for a few.
    static constexpr int kCheckpointPages = 8000;
    static constexpr int kWriterCheckpointPages = 40000;
    std::unique_ptr<SqliteConn> checkpointer_;
    std::mutex ckpt_mu_;
    std::condition_variable ckpt_cv_;
    std::set<std::string> ckpt_due_;
    bool ckpt_stop_ = false;
    std::thread ckpt_thread_;
};

bool SqliteEngine::is_unique_violation(const std::exception_ptr& e) const {
    try {
        std::rethrow_exception(e);
    } catch (const soci::sqlite3_soci_error& err) {
        int code = err.result();
        return code == 2067 /* SQLITE_CONSTRAINT_UNIQUE */ || code == 1555 /* SQLITE_CONSTRAINT_PRIMARYKEY */;
    } catch (...) {
        return false;
    }
}

SqliteEngine::SqliteEngine(const Options& o) : opts_(o), readers_([this] { return std::unique_ptr<Conn>(open(opts_.schemas, true)); }) {
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
        sqlite_api::sqlite3_wal_hook(w->conn->handle(), &SqliteEngine::wal_hook, w->hook.get());
        writers_.emplace(schema, std::move(w));
    }
    if (!opts_.schemas.empty()) {
        checkpointer_ = open(opts_.schemas, false);
        ckpt_thread_ = std::thread([this] { checkpoint_loop(); });
    }
}

int SqliteEngine::wal_hook(void* arg, sqlite_api::sqlite3* db, const char* name, int pages) {
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

void SqliteEngine::wal_grew(const std::string& schema, int pages) {
    if (pages < kCheckpointPages) return;
    {
        std::lock_guard lock(ckpt_mu_);
        ckpt_due_.insert(schema);
    }
    ckpt_cv_.notify_one();
}

void SqliteEngine::checkpoint_loop() {
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

SqliteEngine::~SqliteEngine() {
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
    readers_.close();
}

std::unique_ptr<SqliteConn> SqliteEngine::open(const std::vector<std::string>& attach, bool read_only) {
    // The main database is a private in-memory one: every schema is an attached file, and a
    // writer attaches only its own, so its transactions lock and can touch nothing else.
    auto s = std::make_unique<soci::session>(soci::sqlite3, fmt::format("db=:memory: timeout={}", std::max(1, opts_.busy_timeout_ms / 1000)));
    auto c = std::make_unique<SqliteConn>(std::move(s));
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

void SqliteEngine::write(Writer& w, WriteJob& job) {
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

void SqliteEngine::run_group(Writer& w, std::vector<WriteJob*>& group) {
    SqliteConn& c = *w.conn;
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
            j->reset();
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

void SqliteEngine::with_schema_writer(std::string_view schema, const std::function<void(Sql&, soci::session&)>& f) {
    auto& w = writer(schema);
    take(w);
    try {
        Sql sql(*w.conn);
        f(sql, w.conn->session());
    } catch (...) {
        give_back(w);
        throw;
    }
    give_back(w);
}

void SqliteEngine::exec_script(soci::session& s, const std::string& sql) {
    auto* backend = static_cast<soci::sqlite3_session_backend*>(s.get_backend());
    char* err = nullptr;
    int rc = sqlite_api::sqlite3_exec(backend->conn_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != 0) {
        std::string msg = err ? err : "unknown error";
        sqlite_api::sqlite3_free(err);
        throw std::runtime_error("SQL script failed: " + msg);
    }
}

void SqliteEngine::backup_to(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    // A read transaction on one connection over every file, begun while no commit can land (every
    // writer held, every file write-locked against other processes too): one consistent moment,
    // so a consumer is never copied ahead of the outbox it reads. The writers are released as
    // soon as it exists; the copy then reads that snapshot while writes go on.
    auto snapshot = open(opts_.schemas, true);
    {
        for (auto& [schema, w] : writers_) take(*w);
        std::vector<Writer*> locked;
        auto release = [&] {
            for (auto* w : locked) {
                try {
                    w->conn->run("ROLLBACK");
                } catch (...) {
                }
            }
            for (auto& [schema, w] : writers_) give_back(*w);
        };
        try {
            for (auto& [schema, w] : writers_) {
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


std::unique_ptr<Engine> make_sqlite_engine(const Options& o) { return std::make_unique<SqliteEngine>(o); }

std::optional<std::vector<RecordedMigration>> sqlite_recorded_migrations(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return std::nullopt;
    // Without a WAL holding commits, the file alone is the database: opened immutable, SQLite
    // creates no -wal/-shm next to it. A non-empty WAL (a running server, a crash) must be read
    // too: opened read-only then, beside the -wal/-shm files that exist already.
    auto wal = file;
    wal += "-wal";
    bool live = std::filesystem::exists(wal, ec) && std::filesystem::file_size(wal, ec) > 0;
    std::string uri = "file:";
    for (char c : file.string()) {
        if (c == '?' || c == '#' || c == '%') uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
        else uri.push_back(c);
    }
    uri += live ? "?mode=ro" : "?immutable=1";
    sqlite_api::sqlite3* db = nullptr;
    constexpr int kReadOnly = 0x00000001, kUri = 0x00000040;  // SQLITE_OPEN_READONLY, SQLITE_OPEN_URI
    if (sqlite_api::sqlite3_open_v2(uri.c_str(), &db, kReadOnly | kUri, nullptr) != 0) {
        std::string err = db ? sqlite_api::sqlite3_errmsg(db) : "out of memory";
        sqlite_api::sqlite3_close(db);
        throw std::runtime_error(fmt::format("cannot read {}: {}", file.string(), err));
    }
    std::vector<RecordedMigration> out;
    sqlite_api::sqlite3_stmt* st = nullptr;
    int rc = sqlite_api::sqlite3_prepare_v2(db, "SELECT track, version, checksum FROM schema_migrations", -1, &st, nullptr);
    if (rc != 0) {
        // No schema_migrations table: nothing applied yet.
        std::string err = sqlite_api::sqlite3_errmsg(db);
        sqlite_api::sqlite3_close(db);
        if (err.find("no such table") != std::string::npos) return out;
        throw std::runtime_error(fmt::format("cannot read {}: {}", file.string(), err));
    }
    while ((rc = sqlite_api::sqlite3_step(st)) == 100 /* SQLITE_ROW */)
        out.push_back({reinterpret_cast<const char*>(sqlite_api::sqlite3_column_text(st, 0)), sqlite_api::sqlite3_column_int(st, 1),
                       reinterpret_cast<const char*>(sqlite_api::sqlite3_column_text(st, 2))});
    std::string err = sqlite_api::sqlite3_errmsg(db);
    sqlite_api::sqlite3_finalize(st);
    sqlite_api::sqlite3_close(db);
    if (rc != 101 /* SQLITE_DONE */) throw std::runtime_error(fmt::format("cannot read {}: {}", file.string(), err));
    return out;
}

}  // namespace shop::db
