#pragma once
// What the composition root needs from every module. Modules are built with their dependencies
// passed in (no service locator, no globals) and started and stopped in order.
#include <span>
#include <string>
#include <string_view>

#include "platform/migrations.hpp"

namespace shop {
namespace http {
class Router;
}
namespace bus {
class Bus;
}

class Module {
public:
    virtual ~Module() = default;
    /// The module's name, which is also its schema.
    virtual std::string_view name() const noexcept = 0;
    /// Its embedded migrations (migrations/<name>/*.sql).
    virtual std::span<const db::Migration> migrations() const = 0;
    /// Adds its HTTP routes.
    virtual void register_routes(http::Router&) {}
    /// Subscribes its event handlers (before the bus starts).
    virtual void subscribe(bus::Bus&) {}
    /// Starts background work (after migrations and subscriptions).
    virtual void start() {}
    /// Stops background work; called in reverse start order.
    virtual void stop() {}
    /// True when the module's background work has nothing due (tests and `seed` wait for it).
    virtual bool idle() { return true; }
    /// Appends the module's business metrics (Prometheus text) at scrape time, read from its own
    /// tables so they survive restarts and agree across instances.
    virtual void collect_metrics(std::string& out) {}
};

}  // namespace shop
