#pragma once
// The in-process event bus over transactional outboxes.
//
// Publishing is Tx::publish: a row in the publisher's <schema>.outbox, written in the same
// transaction as the state change. Each consumer reads the publisher's outbox in order and, in ONE
// transaction on its own schema, checks each event id against its handled ids, runs the handler's
// effect, records the id and advances its position: at-least-once delivery, exactly-once effect.
// Pending events are handled in batches (one transaction, one SAVEPOINT per event).
//
// Before a batch runs, the consumer records that it is in flight (a small file per consumer in the
// bus state directory, written without fsync: it counts process deaths, not power losses); a
// process that dies while handling it finds the record on restart, counts the attempt and retries
// those events one at a time, so an event that crashes the process is parked after max_attempts
// like any other.
//
// Ordering rule: events of one source reach a consumer in publication order, and a failing event
// holds its consumer back (retried with exponential backoff). After max_attempts it is parked;
// from then on later events with the same ordering key (the aggregate the event is about: an
// order, a SKU, a product) are parked behind it without running, while events of other keys flow
// on. Replaying the parked event redelivers it and then the events held behind it, in order.
// So the order of events about one aggregate is never changed; only unrelated aggregates overtake
// a parked one.
#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <boost/mp11.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
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
    std::string key;     ///< ordering key (aggregate id), may be empty
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
    int batch = 100;  ///< most events handled in one transaction
    int linger_ms = 0;  ///< after a pass that found fewer than `batch` events, wait this long for more
    /// Where the in-flight records live (created if missing). Empty: in memory only, so a crash
    /// loop is not detected (tests of other things).
    std::filesystem::path state_dir;
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
    std::string key;
    std::int64_t attempts = 0;
    std::string last_error;
    std::string held_behind;  ///< the parked event of the same key this one waits for ("" for the first)
    std::string updated_at;
};

/// Converts an event payload to E. Events grow by adding members: a top-level member missing from
/// the payload (an event written before it existed) keeps E's default value, and a member E no
/// longer has is ignored, so a consumer reads every version of an event's payload it may find in
/// an outbox. Nested structs and every member present must convert exactly.
template <class E>
E decode_event(const boost::json::value& v) {
    if constexpr (boost::describe::has_describe_members<E>::value) {
        E out{};
        const auto& obj = v.as_object();
        boost::mp11::mp_for_each<boost::describe::describe_members<E, boost::describe::mod_public>>([&](auto m) {
            if (auto* field = obj.if_contains(m.name))
                out.*m.pointer = boost::json::value_to<std::remove_cvref_t<decltype(out.*m.pointer)>>(*field);
        });
        return out;
    } else {
        return boost::json::value_to<E>(v);
    }
}

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

    /// Typed subscription: the payload is converted with decode_event<E>.
    template <class E>
    void subscribe(const std::string& consumer, const std::string& schema, const std::string& source,
                   std::function<void(db::Tx&, const E&, const EventMeta&)> handler) {
        subscribe_raw(consumer, schema, source, std::string(E::kType),
                      [h = std::move(handler)](db::Tx& tx, const boost::json::value& v, const EventMeta& m) {
                          h(tx, decode_event<E>(v), m);
                      });
    }

    /// Starts the delivery thread.
    void start();
    /// Stops the delivery thread once the batch in progress is handled. Idempotent.
    void stop();
    /// Wakes the delivery thread.
    void notify();
    /// A commit wrote events up to `seq` into `source`'s outbox (Database::on_publish).
    void published(std::string_view source, std::int64_t seq);
    /// Delivers what is deliverable now on the calling thread; returns how many events consumers
    /// moved past (handled, parked, or of no interest to them): 0 means nothing to do.
    int run_once();
    /// Waits until every consumer has caught up with its source and none is retrying.
    bool wait_idle(std::chrono::milliseconds timeout);

    /// Lag, parked and retrying counts per consumer, from memory (no query).
    std::vector<SubscriberStatus> status();
    std::vector<ParkedEvent> parked();
    /// Redelivers a parked event, then the events held behind it, to every consumer that parked
    /// it; not_found if none did. Each redelivery (and each that fails again) is audited in the
    /// consumer's schema with `requested_by`'s actor (`<schema>.event.replayed` / `.replay_failed`).
    Result<int> replay(const std::string& event_id, const Ctx& requested_by = {});
    /// Events and handler runs of one correlation id across every schema, oldest first.
    std::vector<TraceEntry> trace(const std::string& correlation_id);

private:
    struct Subscription;
    struct Event {
        EventMeta meta;
        std::string payload;
    };
    void load(Subscription& sub);
    int deliver(Subscription& sub);
    /// Handles `events` (in order) in one transaction; returns how many were settled (handled or
    /// parked behind a parked key) before the first failure, whose error goes to `error`.
    /// Sets `yielded` when it did nothing because another instance holds the consumer or has
    /// already moved it past these events (PostgreSQL).
    std::size_t handle_batch(Subscription& sub, const std::vector<Event>& events, std::string& error, bool& yielded);
    void record_failure(Subscription& sub, const Event& ev, const std::string& error);
    void park_in(db::Tx& tx, Subscription& sub, const Event& ev, int attempts, const std::string& error,
                 const std::string& held_behind);
    void run_handler(db::Tx& tx, Subscription& sub, const Event& ev, const char* outcome_if_new);
    std::int64_t backoff_ms(int attempts) const;
    /// Records that events up to `to` are being handled, on the `attempts`-th try (0, 0: none).
    void write_inflight(Subscription& sub, std::int64_t to, std::int64_t attempts);

    db::Database& db_;
    Options opts_;
    Logger& log_;
    std::vector<std::unique_ptr<Subscription>> subs_;
    std::mutex run_mu_;     // one delivery pass at a time
    std::mutex status_mu_;  // positions, heads and counts read by status()
    std::map<std::string, std::int64_t, std::less<>> heads_;
    std::mutex wake_mu_;
    std::condition_variable wake_cv_;
    bool woken_ = false;
    std::atomic<bool> running_{false};
    std::thread thread_;
};

}  // namespace shop::bus
