#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

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
    return std::make_unique<db::Database>(db::Options{.dir = dir.path(), .schemas = {"alpha"}, .busy_timeout_ms = 2000});
}
int count_rows(db::Database& d, const std::string& sql) {
    return static_cast<int>(d.read([&](db::Reader& r) { return r.count(sql); }));
}
}  // namespace

TEST_CASE("migrations apply in order, are recorded with checksums, and run once") {
    test::TempDir dir;
    Logger log(LogLevel::off);
    auto d = open(dir);
    auto first = db::migrate(*d, {{"alpha", kV1}}, log);
    CHECK(first.applied == 2 + 2);  // two module migrations, two of the kernel's
    CHECK(count_rows(*d, "SELECT COUNT(*) FROM alpha.schema_migrations WHERE track = 'module'") == 2);
    CHECK(count_rows(*d, "SELECT COUNT(*) FROM alpha.schema_migrations WHERE length(checksum) = 64") == 4);
    auto second = db::migrate(*d, {{"alpha", kV1}}, log);
    CHECK(second.applied == 0);
    d->write("alpha", Ctx::system("t"), [](db::Tx& tx) { tx.exec("INSERT INTO alpha.things (id, n, label) VALUES ('a', 1, 'x')"); });
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
    CHECK(r.pending == 4);  // two module migrations, two of the kernel's
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
    CHECK(count_rows(*d, "SELECT COUNT(*) FROM alpha.sqlite_master WHERE name = 'half'") == 0);
}

namespace {
// SOCI reads a column declared INTEGER as a 32-bit int in a row, silently truncating amounts and
// millisecond timestamps: 64-bit columns are declared BIGINT. Only the rowid alias
// INTEGER PRIMARY KEY must keep the name INTEGER (it is read through CAST(... AS BIGINT)).
std::vector<std::string> narrow_integer_columns(const std::string& sql) {
    static const std::regex kInteger(R"(\bINTEGER\b(?!\s+PRIMARY\s+KEY))", std::regex::icase);
    std::vector<std::string> found;
    std::istringstream in(sql);
    for (std::string line; std::getline(in, line);)
        if (std::regex_search(line, kInteger)) found.push_back(line);
    return found;
}
}  // namespace

TEST_CASE("the 32-bit column rule catches an INTEGER column and spares the rowid alias") {
    CHECK(narrow_integer_columns("CREATE TABLE x.t (seq INTEGER PRIMARY KEY AUTOINCREMENT, n BIGINT);").empty());
    CHECK(narrow_integer_columns("CREATE TABLE x.t (\n  amount INTEGER NOT NULL\n);").size() == 1);
}

TEST_CASE("every migrated integer column is 64-bit") {
    std::vector<std::string> offenders;
    for (auto& m : db::kernel_migrations())
        for (auto& l : narrow_integer_columns(m.sql)) offenders.push_back(std::string("kernel: ") + l);
    for (auto& f : std::filesystem::recursive_directory_iterator(std::filesystem::path(SHOP_SOURCE_DIR) / "migrations")) {
        if (f.path().extension() != ".sql") continue;
        std::ifstream in(f.path());
        std::stringstream text;
        text << in.rdbuf();
        for (auto& l : narrow_integer_columns(text.str())) offenders.push_back(f.path().string() + ": " + l);
    }
    for (auto& o : offenders) MESSAGE(o);
    CHECK(offenders.empty());
}
