// The outbox bus with real SQLite: delivery, exactly-once effect, retry, parking, correlation.
#include <doctest/doctest.h>

#include <boost/describe.hpp>
#include <boost/json.hpp>

#include "platform/bus.hpp"
#include "platform/db.hpp"
#include "platform/migrations.hpp"
#include "support/test_shop.hpp"

using namespace shop;

namespace testev {
struct ThingMade {
    static constexpr std::string_view kType = "pub.thing_made.v1";
    std::string thing_id;
    std::int64_t n{};
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
    db::Database d{db::Options{dir.path(), {"pub", "sub"}, 2, "normal", 2000}};
    bus::Bus b{d, bus::Options{3, 1, 5, 10, 100}, log};

    BusFixture() { db::migrate(d, {{"pub", kPub}, {"sub", kSub}}, log); }

    std::string make_thing(const std::string& id, std::int64_t n, const std::string& correlation = "corr-1") {
        Ctx ctx = Ctx::system(correlation);
        std::string event_id;
        d.write("pub", ctx, [&](db::Tx& tx) {
            tx.sql() << "INSERT INTO pub.things (id, n) VALUES (:id, :n)", soci::use(id), soci::use(n);
            event_id = tx.publish(testev::ThingMade{id, n});
        });
        return event_id;
    }
    int effects() {
        int n = 0;
        d.read([&](soci::session& s) { s << "SELECT COUNT(*) FROM sub.effects", soci::into(n); });
        return n;
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

TEST_CASE("a committed event is delivered once and its effect applied once") {
    BusFixture f;
    int runs = 0;
    f.b.subscribe<testev::ThingMade>("sub.things", "sub", "pub", [&](db::Tx& tx, const testev::ThingMade& e, const bus::EventMeta&) {
        ++runs;
        tx.sql() << "INSERT INTO sub.effects (thing_id, n) VALUES (:t, :n)", soci::use(e.thing_id), soci::use(e.n);
    });
    f.make_thing("a", 1);
    f.make_thing("b", 2);
    CHECK(f.b.run_once() == 2);
    CHECK(f.effects() == 2);
    CHECK(f.b.run_once() == 0);
    // At-least-once delivery: rewind the consumer as a crash before the position write would.
    f.d.write("sub", Ctx::system("t"), [](db::Tx& tx) { tx.sql() << "UPDATE sub.inbox_positions SET position = 0"; });
    f.b.run_once();
    f.b.run_once();
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
        tx.sql() << "INSERT INTO sub.effects (thing_id, n) VALUES (:t, :n)", soci::use(e.thing_id), soci::use(e.n);
        if (runs < 3) throw std::runtime_error("transient");
    });
    f.make_thing("a", 1);
    CHECK(f.b.wait_idle(std::chrono::seconds(5)));
    CHECK(runs == 3);
    CHECK(f.effects() == 1);
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
    CHECK(handled == 1);  // the consumer moved past the parked event
    auto parked = f.b.parked();
    REQUIRE(parked.size() == 1);
    CHECK(parked[0].event_id == poison);
    CHECK(parked[0].attempts == 3);
    CHECK(parked[0].last_error.find("poison") != std::string::npos);
    auto st = f.b.status();
    REQUIRE(st.size() == 1);
    CHECK(st[0].parked == 1);
    CHECK(st[0].lag == 0);

    CHECK_FALSE(f.b.replay(poison).has_value());  // still failing: stays parked
    healthy = true;
    auto r = f.b.replay(poison);
    REQUIRE(r.has_value());
    CHECK(*r == 1);
    CHECK(handled == 2);
    CHECK(f.b.parked().empty());
    CHECK_FALSE(f.b.replay("evt_unknown").has_value());
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
