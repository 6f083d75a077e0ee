#pragma once
#include <functional>
#include <string>

namespace shop {
class Metrics;
namespace db {
class Database;
}
namespace bus {
class Bus;
}
namespace http {
class Router;

struct PlatformRoutesDeps {
    Router& router;
    db::Database& db;
    bus::Bus& bus;
    Metrics& metrics;
    std::string metrics_token;                 ///< empty: /metrics is open
    std::function<bool()> ready;               ///< readiness beyond the database (migrations done, bus running)
    std::string version;
};

/// /healthz, /readyz, /metrics, /openapi.json, /api/v1/admin/events[...], /api/v1/admin/traces/{id},
/// /api/v1/admin/audit-log (every schema's audit_log, see platform/audit.hpp).
void register_platform_routes(PlatformRoutesDeps deps);

}  // namespace http
}  // namespace shop
