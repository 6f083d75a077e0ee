#pragma once
// The in-process event bus over transactional outboxes.
//
// Publishing is Tx::publish: a row in the publisher's <schema>.outbox, written in the same
// transaction as the state change. Each consumer reads the publisher's outbox in order and, in ONE
// transaction on its own schema, checks the event id against its handled ids, runs the handler's
// effect, records the id and advances its position: at-least-once delivery, exactly-once effect.
// A failing handler is retried with exponential backoff (the consumer waits, preserving order);
// after max_attempts the event is parked and the consumer moves on. Parked events are listed by
// parked() and redelivered by replay().
#include <boost/json.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/db.hpp"
#include "platform/error.hpp"
#include "platform/log.hpp"

namespace shop::bus {

/// Everything about a delivered event except its payload.
struct EventMeta {
    std::string id;
    std::int64_t seq = 0;
    std::string source;  ///< publisher schema
    std::string type;    ///< versioned type name
    std::string correlation_id;
    std::string causation_id;
    std::string created_at;
};

using RawHandler = std::function<void(db::Tx&, const boost::json::value&, const EventMeta&)>;

struct Options {
    int max_attempts = 5;
    int backoff_base_ms = 100;
    int backoff_max_ms = 30000;
    int poll_interval_ms = 200;
    int batch = 100;
};

struct SubscriberStatus {
    std::string consumer;
    std::string schema;
    std::string source;
    std::int64_t position = 0;
    std::int64_t head = 0;
    std::int64_t lag = 0;
    std::int64_t parked = 0;
    std::int64_t retrying = 0;
};

struct ParkedEvent {
    std::string consumer;
    std::string event_id;
    std::string source;
    std::string type;
    std::int64_t attempts = 0;
    std::string last_error;
    std::string updated_at;
};

/// One step of a correlation's trace: an event published or a handler run.
struct TraceEntry {
    std::string at;
    std::string kind;  ///< "event" or "handler"
    std::string schema;
    std::string event_id;
    std::string type;
    std::string consumer;  ///< handlers only
    std::string outcome;   ///< handlers: ok | duplicate | failed | parked
    std::int64_t duration_us = 0;
};

class Bus {
public:
    Bus(db::Database& db, Options opts, Logger& log);
    ~Bus();
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;

    /// Subscribes `consumer` (a name unique in the process, e.g. "ordering.payment_events") whose
    /// state lives in `schema` to events of `type` from the outbox of `source`. Call before start().
    void subscribe_raw(const std::string& consumer, const std::string& schema, const std::string& source,
                       const std::string& type, RawHandler handler);

    /// Typed subscription: the payload is converted with boost::json::value_to<E>.
    template <class E>
    void subscribe(const std::string& consumer, const std::string& schema, const std::string& source,
                   std::function<void(db::Tx&, const E&, const EventMeta&)> handler) {
        subscribe_raw(consumer, schema, source, std::string(E::kType),
                      [h = std::move(handler)](db::Tx& tx, const boost::json::value& v, const EventMeta& m) {
                          h(tx, boost::json::value_to<E>(v), m);
                      });
    }

    /// Starts the delivery thread.
    void start();
    /// Stops the delivery thread after the delivery in progress. Idempotent.
    void stop();
    /// Wakes the delivery thread (called on every commit that published).
    void notify();
    /// Delivers everything deliverable now on the calling thread; returns events handled.
    int run_once();
    /// Waits until every consumer has caught up with its source and none is retrying.
    bool wait_idle(std::chrono::milliseconds timeout);

    std::vector<SubscriberStatus> status();
    std::vector<ParkedEvent> parked();
    /// Redelivers a parked event to every consumer that parked it; not_found if none did.
    Result<int> replay(const std::string& event_id);
    /// Events and handler runs of one correlation id across every schema, oldest first.
    std::vector<TraceEntry> trace(const std::string& correlation_id);

private:
    struct Subscription {
        std::string consumer, schema, source;
        std::map<std::string, RawHandler, std::less<>> handlers;
        std::int64_t position = -1;  // -1: not loaded yet
        std::int64_t blocked_until_ms = 0;
        int attempts = 0;  // attempts of the event it is blocked on
    };
    int deliver(Subscription& sub);
    bool handle_one(Subscription& sub, const EventMeta& meta, const std::string& payload, bool replaying);
    std::int64_t backoff_ms(int attempts) const;

    db::Database& db_;
    Options opts_;
    Logger& log_;
    std::vector<std::unique_ptr<Subscription>> subs_;
    std::mutex run_mu_;
    std::mutex wake_mu_;
    std::condition_variable wake_cv_;
    bool woken_ = false;
    std::atomic<bool> running_{false};
    std::thread thread_;
};

}  // namespace shop::bus
