// The audit log's one call: entries in the writing schema, in its transaction, read back merged.
#include "platform/audit.hpp"

#include <doctest/doctest.h>

#include "platform/db.hpp"
#include "platform/log.hpp"
#include "platform/migrations.hpp"
#include "support/test_shop.hpp"

using namespace shop;

namespace {

std::unique_ptr<db::Database> open_two(const test::TempDir& dir) {
    db::Options o;
    o.url = dir.db_url();
    o.dir = dir.path();
    o.schemas = {"alpha", "beta"};
    auto d = std::make_unique<db::Database>(o);
    Logger log(LogLevel::off);
    db::migrate(*d, {{"alpha", {}}, {"beta", {}}}, log);
    return d;
}

Ctx request_ctx(const std::string& user_id) {
    Ctx c;
    c.correlation_id = c.causation_id = "req-1";
    c.client_address = "203.0.113.9";
    if (!user_id.empty()) c.principal = Principal{user_id, "admin", "", {}};
    return c;
}

}  // namespace

TEST_CASE("an action is dot-separated lower-case words, and its first word is the schema that writes it") {
    CHECK(audit::valid_action("identity.login.failed"));
    CHECK(audit::valid_action("ordering.shipping_method.created"));
    CHECK(audit::valid_action("identity.2fa.enabled"));
    for (const char* bad : {"", "identity", "identity.", ".login", "Identity.login", "identity..login", "identity.log in", "identity._x"}) {
        CAPTURE(bad);
        CHECK_FALSE(audit::valid_action(bad));
    }
    CHECK(audit::valid_action_prefix("identity"));
    CHECK_FALSE(audit::valid_action_prefix("identity."));

    test::TempDir dir;
    auto d = open_two(dir);
    Ctx ctx = request_ctx("usr_01JDQ6V3M2Z8K4T7W9XB5C0N1R");
    CHECK_THROWS_AS(d->write("alpha", ctx, [](db::Tx& tx) { audit::record(tx, "beta.thing.done", "x"); }), std::logic_error);
    CHECK_THROWS_AS(d->write("alpha", ctx, [](db::Tx& tx) { audit::record(tx, "alpha", "x"); }), std::logic_error);
}

TEST_CASE("the actor comes from the context: API key, user, anonymous request or system work") {
    Ctx user = request_ctx("usr_01JDQ6V3M2Z8K4T7W9XB5C0N1R");
    CHECK(audit::actor_of(user).type == "user");
    CHECK(audit::actor_of(user).id == "usr_01JDQ6V3M2Z8K4T7W9XB5C0N1R");
    Ctx key = user;
    key.principal->api_key_id = "key_01JDQ6V3M2Z8K4T7W9XB5C0N1R";
    CHECK(audit::actor_of(key).type == "api_key");
    CHECK(audit::actor_of(key).id == "key_01JDQ6V3M2Z8K4T7W9XB5C0N1R");
    CHECK(audit::actor_of(request_ctx("")).type == "anonymous");
    CHECK(audit::actor_of(Ctx::system("sweep")).type == "system");
    Ctx seed = Ctx::system("seed");
    seed.principal = Principal{"seed", "admin", "", {}};
    CHECK(audit::actor_of(seed).type == "system");
    CHECK(audit::actor_of(seed).id == "seed");
}

TEST_CASE("entries exist exactly when the change does, and read back merged across schemas newest first") {
    test::TempDir dir;
    auto d = open_two(dir);
    const std::string ann = "usr_01JDQ6V3M2Z8K4T7W9XB5C0N1R", bob = "usr_01JDQ6V3M2Z8K4T7W9XB5C0N1S";
    d->write("alpha", request_ctx(ann), [](db::Tx& tx) { audit::record(tx, "alpha.thing.created", "t1", {{"n", 1}}); });
    d->write("beta", request_ctx(bob), [](db::Tx& tx) { audit::record(tx, "beta.thing.created", "t2"); });
    auto rolled_back = d->write("alpha", request_ctx(ann), [](db::Tx& tx) -> Result<void> {
        audit::record(tx, "alpha.thing.deleted", "t1");
        return conflict("changed my mind");
    });
    CHECK_FALSE(rolled_back.has_value());
    audit::record(*d, "alpha", request_ctx(""), audit::Actor{"anonymous", ""}, "alpha.login.failed", "", {{"email", "x@example.com"}});

    auto all = audit::read(*d, {"alpha", "beta"}, {});
    REQUIRE(all.entries.size() == 3);
    CHECK_FALSE(all.more);
    CHECK(all.entries[0].action == "alpha.login.failed");
    CHECK(all.entries[1].action == "beta.thing.created");
    CHECK(all.entries[1].schema == "beta");
    CHECK(all.entries[2].action == "alpha.thing.created");
    CHECK(all.entries[2].actor.id == ann);
    CHECK(all.entries[2].client_address == "203.0.113.9");
    CHECK(all.entries[2].correlation_id == "req-1");
    CHECK(all.entries[2].details.at("n").as_int64() == 1);

    audit::Query by_bob;
    by_bob.actor = bob;
    CHECK(audit::read(*d, {"alpha", "beta"}, by_bob).entries.size() == 1);
    audit::Query anonymous;
    anonymous.actor = "anonymous";
    CHECK(audit::read(*d, {"alpha", "beta"}, anonymous).entries.size() == 1);
    audit::Query things;
    things.action_prefix = "alpha.thing";
    CHECK(audit::read(*d, {"alpha", "beta"}, things).entries.size() == 1);
    things.action_prefix = "alpha.thin";  // whole words only
    CHECK(audit::read(*d, {"alpha", "beta"}, things).entries.empty());

    audit::Query first_page;
    first_page.limit = 2;
    auto p1 = audit::read(*d, {"alpha", "beta"}, first_page);
    REQUIRE(p1.entries.size() == 2);
    CHECK(p1.more);
    audit::Query second_page = first_page;
    second_page.before_id = p1.entries.back().id;
    auto p2 = audit::read(*d, {"alpha", "beta"}, second_page);
    REQUIRE(p2.entries.size() == 1);
    CHECK_FALSE(p2.more);
    CHECK(p2.entries[0].id == all.entries[2].id);

    audit::Query future;
    future.from_ms = now_ms() + 60'000;
    CHECK(audit::read(*d, {"alpha", "beta"}, future).entries.empty());
    audit::Query past;
    past.to_ms = now_ms() + 60'000;
    CHECK(audit::read(*d, {"alpha", "beta"}, past).entries.size() == 3);
}
