#include "platform/platform_routes.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "platform/bus.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "platform/http.hpp"
#include "platform/metrics.hpp"

namespace shop::http {
namespace json = boost::json;

void register_platform_routes(PlatformRoutesDeps d) {
    auto& router = d.router;
    router.add({Method::get, "/healthz", Access::anyone, "Liveness", "platform"},
               [](Request&) { return Response::json(200, json::object{{"status", "ok"}}); });

    router.add({Method::get, "/readyz", Access::anyone, "Readiness: database, migrations, bus", "platform"},
               [db = &d.db, ready = d.ready](Request&) {
                   bool db_ok = db->healthy();
                   bool rest = ready ? ready() : true;
                   json::object o{{"status", db_ok && rest ? "ready" : "not_ready"},
                                  {"checks", json::object{{"database", db_ok}, {"migrations_and_bus", rest}}}};
                   return Response::json(db_ok && rest ? 200 : 503, o);
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
    });
    router.add({Method::get, "/metrics", Access::anyone, "Prometheus metrics", "platform"},
               [m = &d.metrics, token = d.metrics_token](Request& req) {
                   if (!token.empty()) {
                       auto h = req.header("Authorization");
                       std::string expected = "Bearer " + token;
                       if (!crypto::equal_constant_time(h, expected))
                           throw ErrorException(unauthorized("the metrics token is missing or wrong"));
                   }
                   return Response::text(200, m->render(), "text/plain; version=0.0.4; charset=utf-8");
               });

    router.add({Method::get, "/openapi.json", Access::anyone, "OpenAPI 3.1 description of this API", "platform"},
               [r = &router, v = d.version](Request&) {
                   auto res = Response::json(200, openapi_document(*r, "shop", v));
                   res.headers.set("Cache-Control", "public, max-age=60");
                   return res;
               });

    router.add({.method = Method::get, .pattern = "/api/v1/admin/events", .access = Access::admin, .summary = "Event bus: per-consumer lag and parked events", .tag = "platform", .blocking = true},
               [b = &bus](Request&) {
                   json::array consumers, parked;
                   for (auto& s : b->status())
                       consumers.push_back(json::object{{"consumer", s.consumer}, {"schema", s.schema}, {"source", s.source},
                                                        {"position", s.position}, {"head", s.head}, {"lag", s.lag},
                                                        {"parked", s.parked}, {"retrying", s.retrying}});
                   for (auto& p : b->parked())
                       parked.push_back(json::object{{"event_id", p.event_id}, {"consumer", p.consumer}, {"source", p.source},
                                                     {"type", p.type}, {"attempts", p.attempts}, {"last_error", p.last_error},
                                                     {"parked_at", p.updated_at}});
                   return Response::json(200, json::object{{"consumers", std::move(consumers)}, {"parked", std::move(parked)}});
               });

    router.add({Method::post, "/api/v1/admin/events/{id}/replay", Access::admin, "Redeliver a parked event", "platform"},
               [b = &bus](Request& req) {
                   auto r = b->replay(std::string(req.param("id")));
                   if (!r) throw ErrorException(r.error());
                   return Response::json(200, json::object{{"event_id", req.param("id")}, {"replayed", *r}});
               });

    router.add({.method = Method::get, .pattern = "/api/v1/admin/traces/{correlation_id}", .access = Access::admin,
                .summary = "Every event and handler run of one correlation id, in order", .tag = "platform", .blocking = true},
               [b = &bus](Request& req) {
                   auto entries = b->trace(std::string(req.param("correlation_id")));
                   if (entries.empty()) throw ErrorException(not_found("no events for this correlation id"));
                   json::array out;
                   for (auto& e : entries) {
                       json::object o{{"at", e.at}, {"kind", e.kind}, {"schema", e.schema}, {"event_id", e.event_id}, {"type", e.type}};
                       if (e.kind == "handler") {
                           o["consumer"] = e.consumer;
                           o["outcome"] = e.outcome;
                           o["duration_us"] = e.duration_us;
                       }
                       out.push_back(std::move(o));
                   }
                   return Response::json(200, json::object{{"correlation_id", req.param("correlation_id")}, {"data", std::move(out)}});
               });
}

}  // namespace shop::http
