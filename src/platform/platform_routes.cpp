#include "platform/platform_routes.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "platform/api.hpp"
#include "platform/audit.hpp"
#include "platform/bus.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "platform/http.hpp"
#include "platform/ids.hpp"
#include "platform/metrics.hpp"

namespace shop::http {
namespace {

struct Health {
    api::OneOf<"ok"> status;
};
SHOP_API_STRUCT(Health, status)

struct ReadyChecks {
    bool database = false;
    bool migrations_and_bus = false;
};
SHOP_API_STRUCT(ReadyChecks, database, migrations_and_bus)

struct Readiness {
    api::OneOf<"ready", "not_ready"> status;
    ReadyChecks checks;
};
SHOP_API_STRUCT(Readiness, status, checks)

struct ConsumerStatus {
    std::string consumer, schema, source;
    std::int64_t position = 0, head = 0, lag = 0, parked = 0, retrying = 0;
};
SHOP_API_STRUCT(ConsumerStatus, consumer, schema, source, position, head, lag, parked, retrying)

struct ParkedEventReply {
    api::Id<"evt"> event_id;
    std::string consumer, source, type, key;
    std::int64_t attempts = 0;
    std::string last_error;
    std::optional<api::Id<"evt">> held_behind;  ///< the parked event of the same key it waits for
    api::Timestamp parked_at;
};
SHOP_API_STRUCT(ParkedEventReply, event_id, consumer, source, type, key, attempts, last_error, held_behind, parked_at)

struct BusReport {
    std::vector<ConsumerStatus> consumers;
    std::vector<ParkedEventReply> parked;
};
SHOP_API_STRUCT(BusReport, consumers, parked)

struct Replayed {
    api::Id<"evt"> event_id;
    std::int64_t replayed = 0;  ///< events redelivered (the parked one and those held behind it), per consumer
};
SHOP_API_STRUCT(Replayed, event_id, replayed)

struct TraceStep {
    api::Timestamp at;
    api::OneOf<"event", "handler"> kind;
    std::string schema;
    api::Id<"evt"> event_id;
    std::string type;
    std::optional<std::string> consumer;
    std::optional<api::OneOf<"ok", "duplicate", "failed", "parked">> outcome;
    std::optional<std::int64_t> duration_us;
};
SHOP_API_STRUCT(TraceStep, at, kind, schema, event_id, type, consumer, outcome, duration_us)

struct Trace {
    std::string correlation_id;
    std::vector<TraceStep> data;
};
SHOP_API_STRUCT(Trace, correlation_id, data)

struct TraceSearch {
    api::Text<1, 64> subject;  ///< an id the events name: an order (`ord_...`), a payment (`pay_...`), a cart
};
SHOP_API_STRUCT(TraceSearch, subject)

struct TraceRefReply {
    std::string correlation_id;  ///< GET /api/v1/admin/traces/{correlation_id}
    api::Timestamp first_at;     ///< its first event naming the subject
    std::string first_type;
    std::int64_t events = 0;     ///< its events naming the subject
};
SHOP_API_STRUCT(TraceRefReply, correlation_id, first_at, first_type, events)

struct TraceRefs {
    std::vector<TraceRefReply> data;
};
SHOP_API_STRUCT(TraceRefs, data)

/// The correlation ids of the events whose payload holds `subject` as a whole JSON string
/// (`"ord_..."`) in any outbox the bus reads, oldest first. A scan of the outboxes: an admin's
/// occasional look-up, not a hot path.
TraceRefs traces_about(db::Database& db, bus::Bus& bus, const std::string& subject) {
    // LIKE with '!' as the escape character, so the id's own '_' matches only itself.
    std::string pattern = "%\"";
    for (char c : subject) {
        if (c == '!' || c == '%' || c == '_') pattern += '!';
        pattern += c;
    }
    pattern += "\"%";
    std::set<std::string> schemas;
    for (auto& s : bus.status()) {
        schemas.insert(s.schema);
        schemas.insert(s.source);
    }
    std::map<std::string, TraceRefReply> by_id;
    db.read([&](db::Reader& r) {
        for (auto& schema : schemas)
            for (auto& row : r.query(fmt::format("SELECT correlation_id, created_at, type FROM {}.outbox WHERE payload LIKE ? ESCAPE '!'", schema),
                                     pattern)) {
                auto& ref = by_id[row.str(0)];
                ref.correlation_id = row.str(0);
                ++ref.events;
                if (ref.first_at.value.empty() || row.str(1) < ref.first_at.value) {
                    ref.first_at.value = row.str(1);
                    ref.first_type = row.str(2);
                }
            }
    });
    TraceRefs out;
    for (auto& [id, ref] : by_id) out.data.push_back(std::move(ref));
    std::ranges::sort(out.data, [](auto& a, auto& b) {
        return std::tie(a.first_at.value, a.correlation_id) < std::tie(b.first_at.value, b.correlation_id);
    });
    return out;
}

struct AuditQuery {
    std::optional<api::Text<1, 64>> actor;    ///< a user id (`usr_...`), an API key id, `system` or `anonymous`
    std::optional<api::Text<1, 120>> action;  ///< whole words from the start: `identity.login` matches `identity.login.failed`
    std::optional<api::DateTime> from;        ///< entries at or after
    std::optional<api::DateTime> to;          ///< entries before
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
};
SHOP_API_STRUCT(AuditQuery, actor, action, from, to, limit, cursor)

struct AuditActor {
    api::OneOf<"user", "api_key", "system", "anonymous"> type;
    std::optional<std::string> id;  ///< the user or API key id, or the name of the system work
};
SHOP_API_STRUCT(AuditActor, type, id)

struct AuditEntry {
    api::Id<"aud"> id;
    api::Timestamp at;
    AuditActor actor;
    std::string action;  ///< `<module>.<thing>.<what happened>`
    std::string module;  ///< whose schema holds the entry
    std::string target;  ///< the id or key acted on ("" when none)
    api::AnyJson details;
    std::string client_address;  ///< "" for background work
    std::string correlation_id;  ///< the request (X-Request-Id) or saga: GET /api/v1/admin/traces/{correlation_id}
};
SHOP_API_STRUCT(AuditEntry, id, at, actor, action, module, target, details, client_address, correlation_id)

struct AuditPage {
    std::vector<AuditEntry> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(AuditPage, data, next_cursor)

using api::of;

}  // namespace

void register_platform_routes(PlatformRoutesDeps d) {
    auto& router = d.router;
    using api::None;
    api::add<None, None, Health>(router,
                                 {.method = Method::get, .path = "/healthz", .id = "getHealth", .summary = "Liveness: the process answers",
                                  .tag = "platform"},
                                 [](Request&, None&, None&) { return Health{of<decltype(Health::status)>("ok")}; });

    api::add<None, None, Readiness>(
        router,
        {.method = Method::get, .path = "/readyz", .id = "getReadiness", .summary = "Readiness: database, migrations, bus",
         .description = "503 with the failing checks while not ready.", .tag = "platform", .errors = {503}},
        [db = &d.db, ready = d.ready](Request&, None&, None&) -> api::Out<Readiness> {
            Readiness r;
            r.checks.database = db->healthy();
            r.checks.migrations_and_bus = ready ? ready() : true;
            bool ok = r.checks.database && r.checks.migrations_and_bus;
            r.status.value = ok ? "ready" : "not_ready";
            api::Out<Readiness> out(std::move(r));
            if (!ok) out.status = 503;
            return out;
        });

    auto& bus = d.bus;
    d.metrics.add_collector([&bus](std::string& out) {
        auto st = bus.status();
        out += "# HELP shop_bus_lag_events Events published but not yet seen by a consumer.\n"
               "# TYPE shop_bus_lag_events gauge\n";
        for (auto& s : st) out += fmt::format("shop_bus_lag_events{{consumer=\"{}\",source=\"{}\"}} {}\n", s.consumer, s.source, s.lag);
        out += "# HELP shop_bus_parked_events Events parked after repeated handler failures.\n"
               "# TYPE shop_bus_parked_events gauge\n";
        for (auto& s : st) out += fmt::format("shop_bus_parked_events{{consumer=\"{}\"}} {}\n", s.consumer, s.parked);
        out += "# HELP shop_bus_retrying_events Events failing and waiting for a retry.\n"
               "# TYPE shop_bus_retrying_events gauge\n";
        for (auto& s : st) out += fmt::format("shop_bus_retrying_events{{consumer=\"{}\"}} {}\n", s.consumer, s.retrying);
    });
    d.metrics.add_collector([db = &d.db](std::string& out) {
        auto w = db->write_stats();
        out += fmt::format("# HELP shop_db_write_transactions_total Write transactions finished (committed or rolled back).\n"
                           "# TYPE shop_db_write_transactions_total counter\nshop_db_write_transactions_total {}\n"
                           "# HELP shop_db_write_groups_total COMMITs that carried them (group commit).\n"
                           "# TYPE shop_db_write_groups_total counter\nshop_db_write_groups_total {}\n"
                           "# HELP shop_db_write_rollbacks_total Write transactions rolled back.\n"
                           "# TYPE shop_db_write_rollbacks_total counter\nshop_db_write_rollbacks_total {}\n",
                           w.transactions, w.groups, w.failed);
        out += fmt::format("# HELP shop_db_write_queue_depth Write transactions queued for or inside their schema's writer.\n"
                           "# TYPE shop_db_write_queue_depth gauge\nshop_db_write_queue_depth {}\n"
                           "# HELP shop_db_write_duration_seconds Write transactions' duration, waiting for the writer included.\n"
                           "# TYPE shop_db_write_duration_seconds histogram\n",
                           w.in_flight);
        std::uint64_t cumulative = 0;
        for (std::size_t k = 0; k < db::Database::WriteStats::kBuckets.size(); ++k) {
            cumulative += w.duration_buckets[k];
            out += fmt::format("shop_db_write_duration_seconds_bucket{{le=\"{}\"}} {}\n", db::Database::WriteStats::kBuckets[k], cumulative);
        }
        cumulative += w.duration_buckets.back();
        out += fmt::format("shop_db_write_duration_seconds_bucket{{le=\"+Inf\"}} {}\nshop_db_write_duration_seconds_sum {}\n"
                           "shop_db_write_duration_seconds_count {}\n",
                           cumulative, w.duration_sum_s, cumulative);
    });
    d.metrics.add_collector([version = d.version](std::string& out) {
        out += fmt::format("# HELP shop_build_info The running build (value 1).\n# TYPE shop_build_info gauge\n"
                           "shop_build_info{{version=\"{}\",compiler=\"{}\"}} 1\n",
                           prom_label(version), prom_label(__VERSION__));
        out += process_metrics();
    });
    api::add<None, None, api::Raw>(
        router,
        {.method = Method::get, .path = "/metrics", .id = "getMetrics", .summary = "Prometheus metrics (text exposition format)",
         .description = "Open, or with `metrics.token` set: `Authorization: Bearer <token>` (not an access token).", .tag = "platform",
         .errors = {401}, .own_bearer = true, .content_type = "text/plain; version=0.0.4; charset=utf-8"},
        [m = &d.metrics, token = d.metrics_token](Request& req, None&, None&) {
            if (!token.empty() && !crypto::equal_constant_time(req.header("Authorization"), "Bearer " + token))
                throw ErrorException(unauthorized("the metrics token is missing or wrong"));
            return api::Raw{m->render()};
        });

    api::add<None, None, api::AnyJson>(router,
                                      {.method = Method::get, .path = "/openapi.json", .id = "getOpenApi",
                                       .summary = "This API's OpenAPI 3.1 description", .tag = "platform"},
                                      [r = &router, v = d.version](Request&, None&, None&) {
                                          api::Out<api::AnyJson> out(api::AnyJson{api::openapi_document(*r, "shop", v)});
                                          out.headers.set("Cache-Control", "public, max-age=60");
                                          return out;
                                      });

    api::add<None, None, BusReport>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/events", .id = "getEventBus", .summary = "Event bus: per-consumer lag and parked events",
         .tag = "platform", .access = Access::admin, .blocking = true},
        [b = &bus](Request&, None&, None&) {
            BusReport rep;
            for (auto& s : b->status()) rep.consumers.push_back({s.consumer, s.schema, s.source, s.position, s.head, s.lag, s.parked, s.retrying});
            for (auto& p : b->parked()) {
                ParkedEventReply e;
                e.event_id.value = p.event_id;
                e.consumer = p.consumer;
                e.source = p.source;
                e.type = p.type;
                e.key = p.key;
                e.attempts = p.attempts;
                e.last_error = p.last_error;
                if (!p.held_behind.empty()) e.held_behind = of<api::Id<"evt">>(p.held_behind);
                e.parked_at.value = p.updated_at;
                rep.parked.push_back(std::move(e));
            }
            return rep;
        });

    api::add<None, None, Replayed>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/events/{id}/replay", .id = "replayEvent",
         .summary = "Redeliver a parked event, then the events held behind it", .tag = "platform", .access = Access::admin,
         .errors = {404, 409}},
        [b = &bus](Request& req, None&, None&) {
            std::string id(req.param("id"));
            auto r = b->replay(id, req.ctx());
            if (!r) throw ErrorException(r.error());
            return Replayed{of<api::Id<"evt">>(id), *r};
        });

    api::add<None, AuditQuery, AuditPage>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/audit-log", .id = "listAuditLog",
         .summary = "The audit log of every module, newest first",
         .description = "Logins, password changes and every admin change, each written by its module in the transaction of the "
                        "change. Filters combine: `actor`, `action` (whole words from the start), `from` (inclusive) and `to` "
                        "(exclusive); pass them again with `cursor`.",
         .tag = "platform", .access = Access::admin, .blocking = true},
        [db = &d.db](Request&, None&, AuditQuery& q) {
            audit::Query aq;
            std::vector<FieldError> errors;
            if (q.actor) aq.actor = q.actor->value;
            if (q.action) {
                aq.action_prefix = q.action->value;
                if (!audit::valid_action_prefix(aq.action_prefix))
                    errors.push_back({"action", "must be dot-separated lower-case words, such as identity.login"});
            }
            if (q.from) aq.from_ms = q.from->ms;
            if (q.to) aq.to_ms = q.to->ms;
            if (q.from && q.to && q.to->ms <= q.from->ms) errors.push_back({"to", "must be later than from"});
            if (q.cursor) {
                aq.before_id = q.cursor->value;
                if (!is_id(aq.before_id, "aud")) errors.push_back({"cursor", "is not a cursor this API returned"});
            }
            throw_if_invalid(errors);
            aq.limit = q.limit ? static_cast<int>(q.limit->value) : 20;
            auto page = audit::read(*db, db->options().schemas, aq);
            AuditPage out;
            for (auto& e : page.entries) {
                AuditEntry a;
                a.id.value = e.id;
                a.at.value = e.at;
                a.actor.type.value = e.actor.type;
                if (!e.actor.id.empty()) a.actor.id = e.actor.id;
                a.action = e.action;
                a.module = e.schema;
                a.target = e.target;
                a.details.value = std::move(e.details);
                a.client_address = e.client_address;
                a.correlation_id = e.correlation_id;
                out.data.push_back(std::move(a));
            }
            if (page.more && !out.data.empty()) out.next_cursor = of<api::Cursor>(out.data.back().id.value);
            return out;
        });

    api::add<None, TraceSearch, TraceRefs>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/traces", .id = "findTraces", .summary = "The traces whose events name an id",
         .description = "The correlation ids of the events whose payload names `subject` (an order, payment or cart id), oldest "
                        "first: an order's checkout (all of its requests when the client sent one `traceparent` trace id), its "
                        "shipment, its refunds. A scan of the outboxes, for an admin's occasional look-up.",
         .tag = "platform", .access = Access::admin, .blocking = true},
        [b = &bus, db = &d.db](Request&, None&, TraceSearch& q) {
            for (char c : q.subject.value)
                if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
                    throw ErrorException(validation("subject", "must be an id: letters, digits, '_' and '-'"));
            return traces_about(*db, *b, q.subject.value);
        });

    api::add<None, None, Trace>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/traces/{correlation_id}", .id = "getTrace",
         .summary = "Every event and handler run of one correlation id, in order", .tag = "platform", .access = Access::admin,
         .errors = {404}, .blocking = true},
        [b = &bus](Request& req, None&, None&) {
            std::string corr(req.param("correlation_id"));
            auto entries = b->trace(corr);
            if (entries.empty()) throw ErrorException(not_found("no events for this correlation id"));
            Trace t{corr, {}};
            for (auto& e : entries) {
                TraceStep s;
                s.at.value = e.at;
                s.kind.value = e.kind;
                s.schema = e.schema;
                s.event_id.value = e.event_id;
                s.type = e.type;
                if (e.kind == "handler") {
                    s.consumer = e.consumer;
                    s.outcome = of<decltype(s.outcome)::value_type>(e.outcome);
                    s.duration_us = e.duration_us;
                }
                t.data.push_back(std::move(s));
            }
            return t;
        });
}

}  // namespace shop::http
