// The write path on a real database (SQLite, or PostgreSQL in the second pass of scripts/test):
// group commit, savepoints, schema isolation, statement cache.
#include "platform/db.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "platform/log.hpp"
#include "platform/migrations.hpp"
#include "support/test_shop.hpp"

using namespace shop;

namespace {
const db::Migration kAlpha[] = {
    {1, "items", "CREATE TABLE alpha.items (id TEXT PRIMARY KEY, n BIGINT NOT NULL CHECK (n >= 0), label TEXT);"}};
const db::Migration kBeta[] = {{1, "items", "CREATE TABLE beta.items (id TEXT PRIMARY KEY, n BIGINT NOT NULL);"}};

struct DbFixture {
    test::TempDir dir;
    Logger log{LogLevel::off};
    db::Database d{db::Options{.url = dir.db_url(), .dir = dir.path(), .schemas = {"alpha", "beta"}, .busy_timeout_ms = 2000}};
    DbFixture() { db::migrate(d, {{"alpha", kAlpha}, {"beta", kBeta}}, log); }
    std::int64_t count(const std::string& sql) {
        return d.read([&](db::Reader& r) { return r.count(sql); });
    }
};

struct Blocker {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    void wait() {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return open; });
    }
    void release() {
        {
            std::lock_guard lock(mu);
            open = true;
        }
        cv.notify_all();
    }
};
}  // namespace

TEST_CASE("parameters and rows: 64-bit integers, text, NULL, doubles, optional") {
    DbFixture f;
    const std::int64_t big = 50'000'000'00LL * 1000;  // far beyond 2^31
    f.d.write("alpha", Ctx::system("t"), [&](db::Tx& tx) {
        tx.exec("INSERT INTO alpha.items (id, n, label) VALUES (?, ?, ?)", "a", big, std::nullopt);
        tx.exec("INSERT INTO alpha.items (id, n, label) VALUES (?, ?, ?)", std::string("b"), 2, std::optional<std::string>("two"));
    });
    f.d.read([&](db::Reader& r) {
        auto a = r.one("SELECT id, n, label, n / 2.0 FROM alpha.items WHERE id = ?", "a");
        REQUIRE(a);
        CHECK(a->str(0) == "a");
        CHECK(a->i64(1) == big);
        CHECK(a->is_null(2));
        CHECK(a->str(2).empty());
        CHECK_FALSE(a->opt_str(2).has_value());
        CHECK(a->f64(3) == doctest::Approx(static_cast<double>(big) / 2));
        CHECK(r.one("SELECT label FROM alpha.items WHERE id = ?", "b")->opt_str(0) == "two");
        CHECK_FALSE(r.one("SELECT id FROM alpha.items WHERE id = ?", "zzz").has_value());
        std::vector<std::string> ids;
        for (auto& row : r.query("SELECT id FROM alpha.items ORDER BY id")) ids.push_back(row.str(0));
        CHECK(ids == std::vector<std::string>{"a", "b"});
    });
    CHECK_THROWS_AS(f.d.read([](db::Reader& r) { return r.count("SELECT ? + ?", 1); }), std::logic_error);
}

TEST_CASE("a statement is prepared once per connection and reused, also while it is being iterated") {
    DbFixture f;
    f.d.write("alpha", Ctx::system("t"), [&](db::Tx& tx) {
        for (int i = 0; i < 5; ++i) tx.exec("INSERT INTO alpha.items (id, n) VALUES (?, ?)", "i" + std::to_string(i), i);
    });
    // The same SQL nested inside its own iteration gets a second statement, not a clash.
    std::int64_t pairs = 0;
    f.d.read([&](db::Reader& r) {
        for (auto& outer : r.query("SELECT n FROM alpha.items WHERE n >= ?", 0))
            for (auto& inner : r.query("SELECT n FROM alpha.items WHERE n >= ?", outer.i64(0))) {
                (void)inner;
                ++pairs;
            }
    });
    CHECK(pairs == 5 + 4 + 3 + 2 + 1);
}

TEST_CASE("a write can touch only its own schema") {
    DbFixture f;
    CHECK_THROWS(f.d.write("alpha", Ctx::system("t"), [](db::Tx& tx) { tx.exec("INSERT INTO beta.items (id, n) VALUES ('x', 1)"); }));
    CHECK(f.count("SELECT COUNT(*) FROM beta.items") == 0);
    CHECK_THROWS_AS(f.d.write("gamma", Ctx::system("t"), [](db::Tx&) {}), std::logic_error);
}

TEST_CASE("a UNIQUE violation is a 409 conflict, a CHECK violation is a bug") {
    DbFixture f;
    f.d.write("alpha", Ctx::system("t"), [](db::Tx& tx) { tx.exec("INSERT INTO alpha.items (id, n) VALUES ('a', 1)"); });
    try {
        f.d.write("alpha", Ctx::system("t"), [](db::Tx& tx) { tx.exec("INSERT INTO alpha.items (id, n) VALUES ('a', 2)"); });
        FAIL("no exception");
    } catch (const ErrorException& e) {
        CHECK(e.error().http_status() == 409);
    }
    bool bug = false;
    try {
        f.d.write("alpha", Ctx::system("t"), [](db::Tx& tx) { tx.exec("INSERT INTO alpha.items (id, n) VALUES ('b', -1)"); });
    } catch (const ErrorException&) {
        FAIL("a CHECK violation must not look like a retryable conflict");
    } catch (const std::exception& e) {
        std::string what = e.what();
        bug = what.find("CHECK") != std::string::npos || what.find("check constraint") != std::string::npos;
    }
    CHECK(bug);  // the message names the constraint: it is logged with the 500
}

TEST_CASE("after_commit runs after a commit and never after a rollback") {
    DbFixture f;
    int ran = 0;
    f.d.write("alpha", Ctx::system("t"), [&](db::Tx& tx) { tx.after_commit([&] { ++ran; }); });
    CHECK(ran == 1);
    CHECK_THROWS(f.d.write("alpha", Ctx::system("t"), [&](db::Tx& tx) {
        tx.after_commit([&] { ++ran; });
        throw std::runtime_error("no");
    }));
    auto r = f.d.write("alpha", Ctx::system("t"), [&](db::Tx& tx) -> Result<int> {
        tx.after_commit([&] { ++ran; });
        return not_found("x");
    });
    CHECK_FALSE(r.has_value());
    CHECK(ran == 1);
}

TEST_CASE("concurrent writes to one schema commit in groups - a failing member rolls back alone") {
    DbFixture f;
    // Hold the writer with a first write so the others queue up and commit as one group.
    Blocker gate;
    std::atomic<bool> first_in{false};
    std::thread holder([&] {
        f.d.write("alpha", Ctx::system("t"), [&](db::Tx& tx) {
            tx.exec("INSERT INTO alpha.items (id, n) VALUES ('first', 0)");
            first_in = true;
            gate.wait();
        });
    });
    while (!first_in) std::this_thread::yield();
    constexpr int kWriters = 12;
    std::vector<std::thread> writers;
    std::atomic<int> ok{0}, failed{0}, published{0};
    for (int i = 0; i < kWriters; ++i)
        writers.emplace_back([&, i] {
            try {
                f.d.write("alpha", Ctx::system("t"), [&](db::Tx& tx) {
                    tx.exec("INSERT INTO alpha.items (id, n) VALUES (?, ?)", "w" + std::to_string(i), i);
                    tx.publish_raw("alpha.item_added.v1", "w" + std::to_string(i), "{}");
                    if (i == 5) throw std::runtime_error("member 5 fails after writing a row and an event");
                });
                ++ok;
            } catch (const std::runtime_error&) {
                ++failed;
            }
        });
    // Let them all queue behind the holder.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto groups_before = f.d.write_stats().groups;
    gate.release();
    holder.join();
    for (auto& t : writers) t.join();
    CHECK(ok == kWriters - 1);
    CHECK(failed == 1);
    CHECK(f.count("SELECT COUNT(*) FROM alpha.items") == kWriters);  // first + 11
    CHECK(f.count("SELECT COUNT(*) FROM alpha.items WHERE id = 'w5'") == 0);
    CHECK(f.count("SELECT COUNT(*) FROM alpha.outbox") == kWriters - 1);
    CHECK(f.count("SELECT COUNT(*) FROM alpha.outbox WHERE ordering_key = 'w5'") == 0);
    // The eleven that waited committed in far fewer COMMITs than writes.
    if (!test::on_postgresql()) CHECK(f.d.write_stats().groups - groups_before < 5);  // PostgreSQL commits each on its own connection
}

TEST_CASE("a member returning an error Result rolls back alone inside its group") {
    DbFixture f;
    Blocker gate;
    std::atomic<bool> first_in{false};
    std::thread holder([&] {
        f.d.write("alpha", Ctx::system("t"), [&](db::Tx&) {
            first_in = true;
            gate.wait();
        });
    });
    while (!first_in) std::this_thread::yield();
    std::vector<std::thread> writers;
    std::atomic<int> refused{0};
    for (int i = 0; i < 4; ++i)
        writers.emplace_back([&, i] {
            auto r = f.d.write("alpha", Ctx::system("t"), [&](db::Tx& tx) -> Result<void> {
                tx.exec("INSERT INTO alpha.items (id, n) VALUES (?, ?)", "r" + std::to_string(i), i);
                if (i % 2) return conflict("odd ones are refused");
                return {};
            });
            if (!r) ++refused;
        });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gate.release();
    holder.join();
    for (auto& t : writers) t.join();
    CHECK(refused == 2);
    CHECK(f.count("SELECT COUNT(*) FROM alpha.items") == 2);
    CHECK(f.count("SELECT COUNT(*) FROM alpha.items WHERE id IN ('r0', 'r2')") == 2);
}

TEST_CASE("writers of different schemas commit in parallel: one held open does not stall the other") {
    DbFixture f;
    Blocker gate;
    std::atomic<bool> alpha_open{false};
    std::thread alpha([&] {
        f.d.write("alpha", Ctx::system("t"), [&](db::Tx& tx) {
            tx.exec("INSERT INTO alpha.items (id, n) VALUES ('held', 1)");
            alpha_open = true;
            gate.wait();
        });
    });
    while (!alpha_open) std::this_thread::yield();
    // beta commits many transactions while alpha's is still open.
    for (int i = 0; i < 20; ++i)
        f.d.write("beta", Ctx::system("t"), [&](db::Tx& tx) { tx.exec("INSERT INTO beta.items (id, n) VALUES (?, ?)", std::to_string(i), i); });
    CHECK(f.count("SELECT COUNT(*) FROM beta.items") == 20);
    CHECK(f.count("SELECT COUNT(*) FROM alpha.items") == 0);  // not committed yet
    gate.release();
    alpha.join();
    CHECK(f.count("SELECT COUNT(*) FROM alpha.items") == 1);
}

TEST_CASE("readers on many threads see every schema and never wait for a writer") {
    DbFixture f;
    f.d.write("beta", Ctx::system("t"), [](db::Tx& tx) { tx.exec("INSERT INTO beta.items (id, n) VALUES ('x', 7)"); });
    Blocker gate;
    std::atomic<bool> open{false};
    std::thread writer([&] {
        f.d.write("beta", Ctx::system("t"), [&](db::Tx& tx) {
            tx.exec("UPDATE beta.items SET n = 8");
            open = true;
            gate.wait();
        });
    });
    while (!open) std::this_thread::yield();
    std::vector<std::thread> readers;
    std::atomic<int> sevens{0};
    for (int i = 0; i < 16; ++i)
        readers.emplace_back([&] {
            if (f.count("SELECT n FROM beta.items") == 7) ++sevens;  // the last committed value
        });
    for (auto& t : readers) t.join();
    CHECK(sevens == 16);
    gate.release();
    writer.join();
    CHECK(f.count("SELECT n FROM beta.items") == 8);
}

TEST_CASE("every acknowledged commit survives the process dying right after it (WAL writes gathered per commit)" *
          doctest::skip(test::on_postgresql())) {
    test::TempDir dir;
    Logger log(LogLevel::off);
    {
        db::Database d{db::Options{.url = dir.db_url(), .dir = dir.path(), .schemas = {"alpha", "beta"}, .busy_timeout_ms = 2000}};
        db::migrate(d, {{"alpha", kAlpha}, {"beta", kBeta}}, log);
    }
    // The child commits and then dies without closing anything (no checkpoint, no destructor):
    // what it was told is committed must be in the files.
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        try {
            db::Database d{db::Options{.url = dir.db_url(), .dir = dir.path(), .schemas = {"alpha", "beta"}, .busy_timeout_ms = 2000}};
            for (int i = 0; i < 300; ++i)
                d.write("alpha", Ctx::system("t"), [&](db::Tx& tx) {
                    tx.exec("INSERT INTO alpha.items (id, n, label) VALUES (?, ?, ?)", "c" + std::to_string(i), i, std::string(500, 'x'));
                });
            _exit(0);  // inside the scope: no destructor runs
        } catch (...) {
            _exit(2);
        }
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    // Still in the log, not yet copied back: this reads what the gathered writes put there.
    CHECK(std::filesystem::file_size(dir.path() / "alpha.db-wal") > 300 * 500);
    db::Database d{db::Options{.url = dir.db_url(), .dir = dir.path(), .schemas = {"alpha", "beta"}, .busy_timeout_ms = 2000}};
    CHECK(d.read([](db::Reader& r) { return r.count("SELECT COUNT(*) FROM alpha.items"); }) == 300);
    CHECK(d.read([](db::Reader& r) { return r.count("SELECT SUM(n) FROM alpha.items"); }) == 299 * 300 / 2);
}
