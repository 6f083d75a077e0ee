// The outbox bus on a real database (SQLite, or PostgreSQL in the second pass of scripts/test): delivery,
// exactly-once effect, retry, parking, correlation, publishers racing to commit.
#include <doctest/doctest.h>

#include <boost/describe.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <thread>

#include "platform/bus.hpp"
#include "platform/db.hpp"
#include "platform/ids.hpp"
#include "platform/migrations.hpp"
#include "support/test_shop.hpp"

using namespace shop;

namespace testev {
struct ThingMade {
    static constexpr std::string_view kType = "pub.thing_made.v1";
    std::string thing_id;
    std::int64_t n{};
    static constexpr auto kKey = &ThingMade::thing_id;
};
BOOST_DESCRIBE_STRUCT(ThingMade, (), (thing_id, n))
struct ThingNoted {
    static constexpr std::string_view kType = "sub.thing_noted.v1";
    std::string thing_id;
};
BOOST_DESCRIBE_STRUCT(ThingNoted, (), (thing_id))
}  // namespace testev

namespace {
const db::Migration kPub[] = {{1, "things", "CREATE TABLE pub.things (id TEXT PRIMARY KEY, n INTEGER NOT NULL);"}};
const db::Migration kSub[] = {{1, "effects", "CREATE TABLE sub.effects (thing_id TEXT NOT NULL, n INTEGER NOT NULL);"}};

struct BusFixture {
    test::TempDir dir;
    Logger log{LogLevel::off};
    db::Database d{db::Options{.url = dir.db_url(), .dir = dir.path(), .schemas = {"pub", "sub"}, .busy_timeout_ms = 2000}};
    bus::Options opts() const { return bus::Options{3, 1, 5, 10, 100, 0, dir.path() / "bus"}; }
    bus::Bus b{d, opts(), log};

    BusFixture() {
        db::migrate(d, {{"pub", kPub}, {"sub", kSub}}, log);
        d.on_publish([this](std::string_view schema, std::int64_t seq) { b.published(schema, seq); });
    }

    std::string make_thing(const std::string& id, std::int64_t n, const std::string& correlation = "corr-1") {
        Ctx ctx = Ctx::system(correlation);
        std::string event_id;
        d.write("pub", ctx, [&](db::Tx& tx) {
            tx.exec("INSERT INTO pub.things (id, n) VALUES (?, ?)", id + "/" + std::to_string(n), n);
            event_id = tx.publish(testev::ThingMade{id, n});
        });
        return event_id;
    }
    std::int64_t effects() { return count("SELECT COUNT(*) FROM sub.effects"); }
    std::int64_t count(const std::string& sql) {
        return d.read([&](db::Reader& r) { return r.count(sql); });
    }
};
}  // namespace

TEST_CASE("an event round-trips through its JSON mapping") {
    testev::ThingMade e{"t1", 42};
    auto v = boost::json::value_from(e);
    auto back = boost::json::value_to<testev::ThingMade>(v);
    CHECK(back.thing_id == "t1");
    CHECK(back.n == 42);
}

TEST_CASE("an event payload written before a member existed decodes with that member's default") {
    // ThingMade has thing_id and n: an older payload without n, and a newer one with a member this
    // consumer does not know, both decode.
    auto older = bus::decode_event<testev::ThingMade>(boost::json::parse(R"({"thing_id":"t1"})"));
    CHECK(older.thing_id == "t1");
    CHECK(older.n == 0);
    auto newer = bus::decode_event<testev::ThingMade>(boost::json::parse(R"({"thing_id":"t2","n":7,"colour":"red"})"));
    CHECK(newer.n == 7);
    // A member present with the wrong type is still an error, not a silent default.
    CHECK_THROWS(bus::decode_event<testev::ThingMade>(boost::json::parse(R"({"thing_id":"t3","n":"seven"})")));
}

TEST_CASE("a committed event is delivered once and its effect applied once") {
    BusFixture f;
    int runs = 0;
    f.b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx& tx, const testev::ThingMade& e, const bus::EventMeta&) {
        ++runs;
        tx.exec("INSERT INTO sub.effects (thing_id, n) VALUES (?, ?)", e.thing_id, e.n);
    });
    f.make_thing("a", 1);
    f.make_thing("b", 2);
    CHECK(f.b.run_once() == 2);
    CHECK(f.effects() == 2);
    CHECK(f.b.run_once() == 0);
    // At-least-once delivery: rewind the consumer as a crash before the position write would
    // (a new Bus is a restarted process: it reads its position from the database).
    f.d.write("sub", Ctx::system("t"), [](db::Tx& tx) { tx.exec("UPDATE sub.inbox_positions SET position = 0"); });
    bus::Bus restarted{f.d, f.opts(), f.log};
    restarted.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx&, const testev::ThingMade&, const bus::EventMeta&) {
        ++runs;
    });
    restarted.run_once();
    restarted.run_once();
    CHECK(runs == 2);       // the handled-ids record stopped the redelivery before the handler
    CHECK(f.effects() == 2);  // exactly-once effect
}

TEST_CASE("nothing is published by a transaction that rolls back") {
    BusFixture f;
    int runs = 0;
    f.b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx&, const testev::ThingMade&, const bus::EventMeta&) { ++runs; });
    CHECK_THROWS(f.d.write("pub", Ctx::system("c"), [&](db::Tx& tx) {
        tx.publish(testev::ThingMade{"x", 1});
        throw std::runtime_error("boom");
    }));
    f.b.run_once();
    CHECK(runs == 0);
}

TEST_CASE("a failing handler is retried with backoff and its effect rolled back each time") {
    BusFixture f;
    int runs = 0;
    f.b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx& tx, const testev::ThingMade& e, const bus::EventMeta&) {
        ++runs;
        tx.exec("INSERT INTO sub.effects (thing_id, n) VALUES (?, ?)", e.thing_id, e.n);
        if (runs < 3) throw std::runtime_error("transient");
    });
    f.make_thing("a", 1);
    CHECK(f.b.wait_idle(std::chrono::seconds(5)));
    CHECK(runs == 3);
    CHECK(f.effects() == 1);
    CHECK(f.b.parked().empty());
}

TEST_CASE("one failing subscriber is retried alone - the others' effects happen once (Medusa #6016)") {
    BusFixture f;
    int failing_runs = 0, steady_runs = 0;
    f.b.subscribe<testev::ThingMade>("sub.flaky", "sub", "pub", [&](db::Tx& tx, const testev::ThingMade& e, const bus::EventMeta&) {
        ++failing_runs;
        tx.exec("INSERT INTO sub.effects (thing_id, n) VALUES (?, ?)", "flaky:" + e.thing_id, e.n);
        if (failing_runs < 3) throw std::runtime_error("transient");
    });
    f.b.subscribe<testev::ThingMade>("sub.steady", "sub", "pub", [&](db::Tx& tx, const testev::ThingMade& e, const bus::EventMeta&) {
        ++steady_runs;
        tx.exec("INSERT INTO sub.effects (thing_id, n) VALUES (?, ?)", "steady:" + e.thing_id, e.n);
    });
    f.make_thing("a", 1);
    CHECK(f.b.wait_idle(std::chrono::seconds(5)));
    CHECK(failing_runs == 3);
    CHECK(steady_runs == 1);  // not run again for the other's retries
    CHECK(f.count("SELECT COUNT(*) FROM sub.effects WHERE thing_id = 'flaky:a'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM sub.effects WHERE thing_id = 'steady:a'") == 1);
    CHECK(f.b.parked().empty());
}

TEST_CASE("after max attempts an event is parked, listed, skipped, and can be replayed") {
    BusFixture f;
    bool healthy = false;
    int handled = 0;
    f.b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx&, const testev::ThingMade& e, const bus::EventMeta&) {
        if (e.thing_id == "poison" && !healthy) throw std::runtime_error("cannot handle poison");
        ++handled;
    });
    auto poison = f.make_thing("poison", 1);
    f.make_thing("fine", 2);
    CHECK(f.b.wait_idle(std::chrono::seconds(5)));
    CHECK(handled == 1);  // the consumer moved past the parked event (another key)
    auto parked = f.b.parked();
    REQUIRE(parked.size() == 1);
    CHECK(parked[0].event_id == poison);
    CHECK(parked[0].attempts == 3);
    CHECK(parked[0].last_error.find("poison") != std::string::npos);
    auto st = f.b.status();
    REQUIRE(st.size() == 1);
    CHECK(st[0].parked == 1);
    CHECK(st[0].lag == 0);

    // An admin asks for the replays: each attempt is audited in the consumer's schema with the admin as actor.
    Ctx admin = Ctx::system("req-replay");
    admin.client_address = "203.0.113.9";
    admin.principal = Principal{.user_id = new_id("usr"), .role = "admin"};
    CHECK_FALSE(f.b.replay(poison, admin).has_value());  // still failing: stays parked
    healthy = true;
    auto r = f.b.replay(poison, admin);
    REQUIRE(r.has_value());
    CHECK(*r == 1);
    CHECK(handled == 2);
    CHECK(f.b.parked().empty());
    CHECK_FALSE(f.b.replay("evt_unknown").has_value());
    f.d.read([&](db::Reader& rd) {
        auto rows = rd.query("SELECT action, actor_type, actor_id, target, details FROM sub.audit_log ORDER BY id");
        std::vector<std::vector<std::string>> got;
        for (auto& row : rows) got.push_back({row.str(0), row.str(1), row.str(2), row.str(3), row.str(4)});
        REQUIRE(got.size() == 2);
        CHECK(got[0][0] == "sub.event.replay_failed");
        CHECK(got[1][0] == "sub.event.replayed");
        for (auto& g : got) {
            CHECK(g[1] == "user");
            CHECK(g[2] == admin.principal->user_id);
            CHECK(g[3] == poison);
            auto details = boost::json::parse(g[4]).as_object();
            CHECK(details.at("consumer").as_string() == "sub.things");
            CHECK(details.at("requested_in").as_string() == "req-replay");
            CHECK(details.at("requested_from").as_string() == "203.0.113.9");
        }
        CHECK(boost::json::parse(got[0][4]).at("error").as_string().find("poison") != std::string::npos);
    });
}

TEST_CASE("the correlation id travels from the first event through every handler it causes") {
    BusFixture f;
    std::string seen_corr, seen_cause, first_id;
    f.b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx& tx, const testev::ThingMade& e, const bus::EventMeta& m) {
        first_id = m.id;
        tx.publish(testev::ThingNoted{e.thing_id});
    });
    f.b.subscribe<testev::ThingNoted>("pub.notes", "pub", "sub", [&](db::Tx& tx, const testev::ThingNoted&, const bus::EventMeta& m) {
        seen_corr = m.correlation_id;
        seen_cause = m.causation_id;
    });
    f.make_thing("a", 1, "req_checkout_1");
    CHECK(f.b.wait_idle(std::chrono::seconds(5)));
    CHECK(seen_corr == "req_checkout_1");
    CHECK(seen_cause == first_id);
    auto trace = f.b.trace("req_checkout_1");
    int events = 0, handlers = 0;
    for (auto& t : trace) (t.kind == "event" ? events : handlers)++;
    CHECK(events == 2);
    CHECK(handlers == 2);
}

TEST_CASE("the event id is minted once, when the outbox row is written") {
    BusFixture f;
    std::vector<std::string> ids;
    f.b.subscribe<testev::ThingMade>("sub.things", "sub", "pub",
                                     [&](db::Tx&, const testev::ThingMade&, const bus::EventMeta& m) { ids.push_back(m.id); });
    auto id = f.make_thing("a", 1);
    f.b.run_once();
    REQUIRE(ids.size() == 1);
    CHECK(ids[0] == id);
    CHECK(is_id(id, "evt"));
}

TEST_CASE("pending events are handled in batches, each event's id recorded with its effect") {
    BusFixture f;
    f.b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx& tx, const testev::ThingMade& e, const bus::EventMeta&) {
        tx.exec("INSERT INTO sub.effects (thing_id, n) VALUES (?, ?)", e.thing_id, e.n);
    });
    CHECK(f.b.run_once() == 0);  // the consumer is loaded (its position row made) before the count starts
    for (int i = 0; i < 50; ++i) f.make_thing("t" + std::to_string(i), i);
    auto before = f.d.write_stats().transactions;
    CHECK(f.b.run_once() == 50);
    // One transaction for fifty events (the in-flight record is a file).
    CHECK(f.d.write_stats().transactions - before == 1);
    CHECK(f.effects() == 50);
    CHECK(f.count("SELECT COUNT(*) FROM sub.inbox_handled") == 50);
    CHECK(f.count("SELECT position FROM sub.inbox_positions WHERE consumer = 'sub.things'") == 50);
}

TEST_CASE("a failure in the middle of a batch keeps the events before it and retries from it") {
    BusFixture f;
    int bad_runs = 0;
    f.b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx& tx, const testev::ThingMade& e, const bus::EventMeta&) {
        tx.exec("INSERT INTO sub.effects (thing_id, n) VALUES (?, ?)", e.thing_id, e.n);
        if (e.thing_id == "bad" && ++bad_runs < 2) throw std::runtime_error("flaky");
    });
    f.make_thing("a", 1);
    f.make_thing("b", 2);
    f.make_thing("bad", 3);
    f.make_thing("c", 4);
    CHECK(f.b.run_once() == 2);  // a and b settled, bad failed: its effect rolled back
    CHECK(f.effects() == 2);
    CHECK(f.b.status()[0].retrying == 1);
    CHECK(f.b.wait_idle(std::chrono::seconds(5)));
    CHECK(f.effects() == 4);
    CHECK(bad_runs == 2);
}

TEST_CASE("a parked event holds back later events of its key, in order, until it is replayed") {
    BusFixture f;
    bool healthy = false;
    std::vector<std::int64_t> order;
    f.b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx&, const testev::ThingMade& e, const bus::EventMeta&) {
        if (e.thing_id == "k" && e.n == 1 && !healthy) throw std::runtime_error("not yet");
        if (e.thing_id == "k") order.push_back(e.n);
    });
    auto first = f.make_thing("k", 1);
    f.make_thing("other", 9);
    f.make_thing("k", 2);
    f.make_thing("k", 3);
    CHECK(f.b.wait_idle(std::chrono::seconds(5)));
    CHECK(order.empty());  // k/2 and k/3 did not overtake the parked k/1
    auto parked = f.b.parked();
    REQUIRE(parked.size() == 3);
    CHECK(parked[0].event_id == first);
    CHECK(parked[0].held_behind.empty());
    CHECK(parked[1].held_behind == first);
    CHECK(parked[2].held_behind == first);
    CHECK(f.b.status()[0].parked == 3);
    // A held-back event cannot be replayed ahead of the one it waits for.
    CHECK_FALSE(f.b.replay(parked[1].event_id).has_value());
    healthy = true;
    auto r = f.b.replay(first);
    REQUIRE(r.has_value());
    CHECK(*r == 3);
    CHECK(order == std::vector<std::int64_t>{1, 2, 3});
    CHECK(f.b.parked().empty());
    CHECK(f.b.status()[0].parked == 0);
    // The key flows again.
    f.make_thing("k", 4);
    CHECK(f.b.wait_idle(std::chrono::seconds(5)));
    CHECK(order.back() == 4);
}

namespace {
struct ProcessDied {};  // not a std::exception: the bus cannot catch it, like a crash
}

TEST_CASE("an event that kills the process is counted before it runs and parked after max attempts") {
    BusFixture f;
    int runs = 0;
    auto subscribe = [&](bus::Bus& b) {
        b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx&, const testev::ThingMade& e, const bus::EventMeta&) {
            if (e.thing_id == "fatal") {
                ++runs;
                throw ProcessDied{};
            }
        });
    };
    subscribe(f.b);  // (only to list what the others parked)
    f.make_thing("fine", 1);
    auto fatal = f.make_thing("fatal", 2);
    f.make_thing("after", 3);
    // Each "process" runs the bus until the event kills it; the next one starts from the database.
    for (int life = 0; life < 6; ++life) {
        bus::Bus b{f.d, f.opts(), f.log};
        subscribe(b);
        try {
            while (b.run_once() > 0) {
            }
        } catch (const ProcessDied&) {
            continue;
        }
        break;
    }
    // Once inside the first batch (that attempt is counted against the batch's first event, which
    // then succeeds alone), then max_attempts times alone; then parked without running again.
    CHECK(runs == 1 + 3);
    auto parked = f.b.parked();
    REQUIRE(parked.size() == 1);
    CHECK(parked[0].event_id == fatal);
    CHECK(parked[0].last_error.find("stopped") != std::string::npos);
    CHECK(f.count("SELECT COUNT(*) FROM sub.inbox_handled") == 2);  // fine and after were handled
}

TEST_CASE("stopping the bus lets the batch in progress finish and commit") {
    BusFixture f;
    std::atomic<bool> started{false};
    f.b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx& tx, const testev::ThingMade& e, const bus::EventMeta&) {
        started = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        tx.exec("INSERT INTO sub.effects (thing_id, n) VALUES (?, ?)", e.thing_id, e.n);
    });
    f.b.start();
    f.make_thing("slow", 1);
    while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    f.b.stop();
    CHECK(f.effects() == 1);
    CHECK(f.count("SELECT COUNT(*) FROM sub.inbox_handled") == 1);
}

TEST_CASE("status() answers from memory: lag, parked and retrying without reading the database") {
    BusFixture f;
    f.b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [](db::Tx&, const testev::ThingMade&, const bus::EventMeta&) {});
    f.make_thing("a", 1);
    f.make_thing("b", 2);
    auto st = f.b.status();
    REQUIRE(st.size() == 1);
    CHECK(st[0].head == 2);
    CHECK(st[0].lag == 2);
    f.b.run_once();
    CHECK(f.b.status()[0].lag == 0);
}

TEST_CASE("publishers racing to commit never make a consumer skip or reorder an event") {
    test::TempDir dir;
    Logger log{LogLevel::off};
    // On PostgreSQL each publishing commit pauses up to 10 ms between writing its outbox rows and
    // COMMIT: if seqs were drawn before the commit order was fixed, a consumer reading
    // seq > position would pass over a lower seq that becomes visible later.
    db::Database d{db::Options{.url = dir.db_url(), .dir = dir.path(), .schemas = {"pub", "sub"}, .busy_timeout_ms = 2000,
                               .test_commit_delay_ms = 10}};
    const db::Migration effects[] = {
        {1, "effects", "CREATE TABLE sub.effects (id INTEGER PRIMARY KEY AUTOINCREMENT, thing_id TEXT NOT NULL, n BIGINT NOT NULL);"}};
    db::migrate(d, {{"pub", kPub}, {"sub", effects}}, log);
    bus::Bus b{d, bus::Options{3, 1, 5, 1, 10, 0, dir.path() / "bus"}, log};
    d.on_publish([&](std::string_view schema, std::int64_t seq) { b.published(schema, seq); });
    b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx& tx, const testev::ThingMade& e, const bus::EventMeta&) {
        tx.exec("INSERT INTO sub.effects (thing_id, n) VALUES (?, ?)", e.thing_id, e.n);
    });
    b.start();
    constexpr int kPublishers = 6, kEach = 30;
    std::vector<std::thread> publishers;
    for (int p = 0; p < kPublishers; ++p)
        publishers.emplace_back([&, p] {
            for (int i = 0; i < kEach; ++i) {
                Ctx ctx = Ctx::system("race");
                d.write("pub", ctx, [&](db::Tx& tx) {
                    tx.exec("INSERT INTO pub.things (id, n) VALUES (?, ?)", "k" + std::to_string(p) + "/" + std::to_string(i), i);
                    tx.publish(testev::ThingMade{"k" + std::to_string(p), i});
                });
            }
        });
    for (auto& t : publishers) t.join();
    REQUIRE(b.wait_idle(std::chrono::seconds(30)));
    b.stop();
    auto count = [&](const std::string& sql) { return d.read([&](db::Reader& r) { return r.count(sql); }); };
    CHECK(count("SELECT COUNT(*) FROM sub.effects") == kPublishers * kEach);
    CHECK(count("SELECT COUNT(DISTINCT event_id) FROM sub.inbox_handled") == kPublishers * kEach);
    for (int p = 0; p < kPublishers; ++p) {
        std::vector<std::int64_t> ns;
        d.read([&](db::Reader& r) {
            for (auto& row : r.query("SELECT n FROM sub.effects WHERE thing_id = ? ORDER BY id", "k" + std::to_string(p)))
                ns.push_back(row.i64(0));
        });
        std::vector<std::int64_t> expected(kEach);
        for (int i = 0; i < kEach; ++i) expected[static_cast<std::size_t>(i)] = i;
        CHECK(ns == expected);  // each publisher's events handled in the order it published them
    }
}
