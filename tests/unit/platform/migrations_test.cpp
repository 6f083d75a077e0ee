#include <doctest/doctest.h>

#include "platform/db.hpp"
#include "platform/log.hpp"
#include "platform/migrations.hpp"
#include "support/test_shop.hpp"

using namespace shop;

namespace {
const db::Migration kV1[] = {{1, "things", "CREATE TABLE alpha.things (id TEXT PRIMARY KEY, n INTEGER NOT NULL);"},
                             {2, "more", "ALTER TABLE alpha.things ADD COLUMN label TEXT NOT NULL DEFAULT '';"}};
const db::Migration kV1Only[] = {{1, "things", "CREATE TABLE alpha.things (id TEXT PRIMARY KEY, n INTEGER NOT NULL);"}};
const db::Migration kEdited[] = {{1, "things", "CREATE TABLE alpha.things (id TEXT PRIMARY KEY);"}};
const db::Migration kBroken[] = {{1, "things", "CREATE TABLE alpha.things (id TEXT PRIMARY KEY, n INTEGER NOT NULL);"},
                                 {2, "ok_part", "CREATE TABLE alpha.half (x INTEGER); INSERT INTO alpha.nope VALUES (1);"}};

std::unique_ptr<db::Database> open(const test::TempDir& dir) {
    return std::make_unique<db::Database>(db::Options{dir.path(), {"alpha"}, 1, "normal", 2000});
}
int count_rows(db::Database& d, const std::string& sql) {
    int n = 0;
    d.read([&](soci::session& s) { s << sql, soci::into(n); });
    return n;
}
}  // namespace

TEST_CASE("migrations apply in order, are recorded with checksums, and run once") {
    test::TempDir dir;
    Logger log(LogLevel::off);
    auto d = open(dir);
    auto first = db::migrate(*d, {{"alpha", kV1}}, log);
    CHECK(first.applied == 2 + 1 + 1);  // two module migrations, the kernel track, the main track
    CHECK(count_rows(*d, "SELECT COUNT(*) FROM alpha.schema_migrations WHERE track = 'module'") == 2);
    CHECK(count_rows(*d, "SELECT COUNT(*) FROM alpha.schema_migrations WHERE length(checksum) = 64") == 3);
    auto second = db::migrate(*d, {{"alpha", kV1}}, log);
    CHECK(second.applied == 0);
    d->write("alpha", Ctx::system("t"), [](db::Tx& tx) { tx.sql() << "INSERT INTO alpha.things (id, n, label) VALUES ('a', 1, 'x')"; });
    CHECK(count_rows(*d, "SELECT COUNT(*) FROM alpha.things") == 1);
    // The kernel gave the schema an outbox.
    CHECK(count_rows(*d, "SELECT COUNT(*) FROM alpha.outbox") == 0);
}

TEST_CASE("dry run counts pending migrations without applying them") {
    test::TempDir dir;
    Logger log(LogLevel::off);
    auto d = open(dir);
    auto r = db::migrate(*d, {{"alpha", kV1}}, log, true);
    CHECK(r.applied == 0);
    CHECK(r.pending == 4);
}

TEST_CASE("the binary refuses a database newer than itself") {
    test::TempDir dir;
    Logger log(LogLevel::off);
    {
        auto d = open(dir);
        db::migrate(*d, {{"alpha", kV1}}, log);
    }
    auto d = open(dir);
    CHECK_THROWS_WITH_AS(db::migrate(*d, {{"alpha", kV1Only}}, log), doctest::Contains("newer than this binary"), std::runtime_error);
}

TEST_CASE("an applied migration that was edited stops the start") {
    test::TempDir dir;
    Logger log(LogLevel::off);
    auto d = open(dir);
    db::migrate(*d, {{"alpha", kV1Only}}, log);
    CHECK_THROWS_WITH_AS(db::migrate(*d, {{"alpha", kEdited}}, log), doctest::Contains("checksum"), std::runtime_error);
}

TEST_CASE("a failing migration leaves nothing half-applied") {
    test::TempDir dir;
    Logger log(LogLevel::off);
    auto d = open(dir);
    CHECK_THROWS(db::migrate(*d, {{"alpha", kBroken}}, log));
    CHECK(count_rows(*d, "SELECT COUNT(*) FROM alpha.schema_migrations WHERE track = 'module'") == 1);
    CHECK(count_rows(*d, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'") == 0);
    CHECK(count_rows(*d, "SELECT COUNT(*) FROM alpha.sqlite_master WHERE name = 'half'") == 0);
}
