#include "platform/bus.hpp"

#include "platform/audit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include <fcntl.h>
#include <unistd.h>

#include "platform/ids.hpp"

namespace shop::bus {
namespace json = boost::json;

struct Bus::Subscription {
    std::string consumer, schema, source;
    std::map<std::string, RawHandler, std::less<>> handlers;
    bool loaded = false;
    std::int64_t position = 0;   // last event settled (in memory; persisted with each handled batch)
    std::int64_t suspect_to = 0; // events up to this seq were in flight when the process died
    int attempts = 0;            // attempts made on the event at position + 1
    std::int64_t blocked_until_ms = 0;
    std::int64_t next_poll_ms = 0;  // when to read the source even if no commit of ours announced news
    std::string retrying_id;     // the event failing and waiting for its retry
    int inflight_fd = -1;        // the in-flight record (-1: none kept)
    std::map<std::string, std::string, std::less<>> parked_keys;  // ordering key -> first parked event id
    std::int64_t parked = 0;
};

namespace {

Ctx event_ctx(const EventMeta& m) {
    Ctx c;
    c.correlation_id = m.correlation_id;
    c.causation_id = m.id;
    return c;
}

std::string describe_error(const std::exception& e) {
    if (const auto* ee = dynamic_cast<const ErrorException*>(&e)) return std::string(ee->error().code()) + ": " + ee->error().detail;
    return e.what();
}

}  // namespace

Bus::Bus(db::Database& db, Options opts, Logger& log) : db_(db), opts_(opts), log_(log) {}

Bus::~Bus() {
    stop();
    for (auto& s : subs_)
        if (s->inflight_fd >= 0) ::close(s->inflight_fd);
}

void Bus::write_inflight(Subscription& sub, std::int64_t to, std::int64_t attempts) {
    if (sub.inflight_fd < 0) return;
    const std::int64_t record[2] = {to, attempts};
    if (::pwrite(sub.inflight_fd, record, sizeof record, 0) != static_cast<ssize_t>(sizeof record))
        throw std::runtime_error("cannot write the in-flight record of consumer " + sub.consumer);
}

void Bus::subscribe_raw(const std::string& consumer, const std::string& schema, const std::string& source,
                        const std::string& type, RawHandler handler) {
    auto it = std::find_if(subs_.begin(), subs_.end(), [&](auto& s) { return s->consumer == consumer; });
    if (it == subs_.end()) {
        auto s = std::make_unique<Subscription>();
        s->consumer = consumer;
        s->schema = schema;
        s->source = source;
        subs_.push_back(std::move(s));
        it = std::prev(subs_.end());
    } else if ((*it)->schema != schema || (*it)->source != source) {
        throw std::logic_error("consumer " + consumer + " is already subscribed with another schema or source");
    }
    (*it)->handlers[type] = std::move(handler);
}

void Bus::start() {
    if (running_.exchange(true)) return;
    thread_ = std::thread([this] {
        while (running_) {
            int n = 0;
            try {
                n = run_once();
            } catch (const std::exception& e) {
                log_.error("bus delivery loop failed", {{"error", e.what()}});
            }
            if (n > 0) {
                // A short pass under load: let the next events gather so they share a transaction
                // (and, with synchronous=full, an fsync) instead of paying one each.
                if (n < opts_.batch && opts_.linger_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(opts_.linger_ms));
                continue;
            }
            std::unique_lock lock(wake_mu_);
            wake_cv_.wait_for(lock, std::chrono::milliseconds(opts_.poll_interval_ms), [&] { return woken_ || !running_; });
            woken_ = false;
        }
    });
}

void Bus::stop() {
    if (!running_.exchange(false)) return;
    notify();
    if (thread_.joinable()) thread_.join();  // the batch in progress is handled and committed first
    // Persist positions moved over events no handler wanted, so a restart does not re-read them.
    for (auto& s : subs_) {
        if (!s->loaded) continue;
        try {
            Ctx ctx = Ctx::system("bus.stop");
            db_.write(s->schema, ctx, [&](db::Tx& tx) {
                tx.exec(fmt::format("UPDATE {}.inbox_positions SET position = ? WHERE consumer = ? AND position < ?", s->schema),
                        s->position, s->consumer, s->position);
            });
        } catch (const std::exception& e) {
            log_.warn("could not persist a consumer position at stop", {{"consumer", s->consumer}, {"error", e.what()}});
        }
    }
}

void Bus::notify() {
    {
        std::lock_guard lock(wake_mu_);
        woken_ = true;
    }
    wake_cv_.notify_one();
}

void Bus::published(std::string_view source, std::int64_t seq) {
    {
        std::lock_guard lock(status_mu_);
        auto it = heads_.find(source);
        if (it == heads_.end()) it = heads_.emplace(std::string(source), 0).first;
        it->second = std::max(it->second, seq);
    }
    notify();
}

std::int64_t Bus::backoff_ms(int attempts) const {
    std::int64_t d = opts_.backoff_base_ms;
    for (int i = 1; i < attempts && d < opts_.backoff_max_ms; ++i) d *= 2;
    return std::min<std::int64_t>(d, opts_.backoff_max_ms);
}

int Bus::run_once() {
    std::lock_guard lock(run_mu_);
    int handled = 0;
    for (auto& s : subs_) handled += deliver(*s);
    return handled;
}

void Bus::load(Subscription& sub) {
    std::int64_t inflight[2] = {0, 0};
    if (!opts_.state_dir.empty() && sub.inflight_fd < 0) {
        std::filesystem::create_directories(opts_.state_dir);
        auto file = opts_.state_dir / (sub.consumer + ".inflight");
        sub.inflight_fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (sub.inflight_fd < 0) throw std::runtime_error("cannot open " + file.string());
        if (::pread(sub.inflight_fd, inflight, sizeof inflight, 0) != static_cast<ssize_t>(sizeof inflight)) inflight[0] = inflight[1] = 0;
    }
    if (!db_.read([&](db::Reader& r) {
            return r.one(fmt::format("SELECT 1 FROM {}.inbox_positions WHERE consumer = ?", sub.schema), sub.consumer).has_value();
        })) {
        // The consumer's position row exists from the start: on PostgreSQL it is also the lease
        // an instance takes (FOR UPDATE SKIP LOCKED) to handle the consumer's next batch.
        Ctx ctx = Ctx::system("bus.load");
        db_.write(sub.schema, ctx, [&](db::Tx& tx) {
            tx.exec(fmt::format("INSERT INTO {}.inbox_positions (consumer, position) VALUES (?, 0) ON CONFLICT (consumer) DO NOTHING",
                                sub.schema),
                    sub.consumer);
        });
    }
    db_.read([&](db::Reader& r) {
        std::int64_t inflight_to = inflight[0], inflight_attempts = inflight[1], position = 0;
        if (auto row = r.one(fmt::format("SELECT position FROM {}.inbox_positions WHERE consumer = ?", sub.schema), sub.consumer))
            position = row->i64(0);
        std::int64_t head = r.count(fmt::format("SELECT COALESCE(MAX(seq), 0) FROM {}.outbox", sub.source));
        if (position > head) {
            // Only after restoring files copied at different moments: new events would reuse
            // sequence numbers the consumer believes it has seen. Start from the source's head.
            log_.warn("consumer position is ahead of its source; rewinding to the source's head",
                      {{"consumer", sub.consumer}, {"position", position}, {"head", head}});
            position = head;
        }
        if (inflight_to > position) {
            // The process stopped while this consumer was handling (position, inflight_to]: that
            // was an attempt. Those events now run one at a time, so one that kills the process
            // is identified and parked after max_attempts.
            sub.suspect_to = inflight_to;
            sub.attempts = static_cast<int>(inflight_attempts);
            log_.warn("the process stopped while events were being handled; retrying them one at a time",
                      {{"consumer", sub.consumer}, {"from", position + 1}, {"to", inflight_to}, {"attempts", inflight_attempts}});
        }
        std::map<std::string, std::string, std::less<>> keys;
        std::int64_t parked = 0;
        for (auto& row : r.query(fmt::format("SELECT ordering_key, event_id, held_behind FROM {}.inbox_failures "
                                             "WHERE consumer = ? AND parked = 1 ORDER BY event_seq",
                                             sub.schema),
                                 sub.consumer)) {
            ++parked;
            if (row.str(2).empty()) keys.emplace(row.str(0), row.str(1));
        }
        if (auto row = r.one(fmt::format("SELECT event_id, attempts, next_attempt_ms FROM {}.inbox_failures "
                                         "WHERE consumer = ? AND parked = 0 ORDER BY event_seq LIMIT 1",
                                         sub.schema),
                             sub.consumer)) {
            sub.retrying_id = row->str(0);
            sub.attempts = std::max(sub.attempts, static_cast<int>(row->i64(1)));
            sub.blocked_until_ms = row->i64(2);
        }
        std::lock_guard lock(status_mu_);
        sub.position = position;
        sub.parked_keys = std::move(keys);
        sub.parked = parked;
        auto& h = heads_[sub.source];
        h = std::max(h, head);
    });
    sub.loaded = true;
}

int Bus::deliver(Subscription& sub) {
    if (!sub.loaded) load(sub);
    std::int64_t now = now_ms();
    if (sub.blocked_until_ms > now) return 0;
    {
        // Commits of this process announce their outbox seq (published()); the source is read only
        // when it has news, or every poll interval for commits of other processes.
        std::lock_guard lock(status_mu_);
        auto head = heads_.find(sub.source);
        if (head != heads_.end() && head->second <= sub.position && now < sub.next_poll_ms) return 0;
    }
    sub.next_poll_ms = now + opts_.poll_interval_ms;
    std::vector<Event> pending;
    std::int64_t last_seen = sub.position;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query(fmt::format("SELECT CAST(seq AS BIGINT), id, type, ordering_key, payload, correlation_id, "
                                             "causation_id, created_at FROM {}.outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                                             sub.source),
                                 sub.position, opts_.batch)) {
            last_seen = row.i64(0);
            auto type = row.str(2);
            if (sub.handlers.find(type) == sub.handlers.end()) continue;
            Event ev;
            ev.meta.seq = last_seen;
            ev.meta.id = row.str(1);
            ev.meta.type = std::move(type);
            ev.meta.key = row.str(3);
            ev.payload = row.str(4);
            ev.meta.correlation_id = row.str(5);
            ev.meta.causation_id = row.str(6);
            ev.meta.created_at = row.str(7);
            ev.meta.source = sub.source;
            pending.push_back(std::move(ev));
            // Inside the span a crash interrupted, one event per transaction.
            if (pending.back().meta.seq <= sub.suspect_to) break;
        }
    });
    if (pending.empty()) {
        // Nothing here for this consumer: move on in memory (persisted with the next batch).
        std::lock_guard lock(status_mu_);
        int moved = static_cast<int>(last_seen - sub.position);
        sub.position = std::max(sub.position, last_seen);
        return moved;
    }
    // The batch ends at its last event: unrelated events after it are read again next time.
    auto& first = pending.front();
    int attempt = sub.attempts + 1;
    if (sub.attempts >= opts_.max_attempts) {
        // It stopped the process max_attempts times: park it without running it again.
        std::string why = fmt::format("the process stopped while handling this event ({} times)", sub.attempts);
        Ctx ctx = event_ctx(first.meta);
        db_.write(sub.schema, ctx, [&](db::Tx& tx) { park_in(tx, sub, first, sub.attempts, why, ""); });
        write_inflight(sub, 0, 0);
        log_.error("event parked: it stopped the process repeatedly",
                   {{"consumer", sub.consumer}, {"event_id", first.meta.id}, {"type", first.meta.type}});
        return 1;
    }
    // Record the attempt before running it: if the process dies now, the restart counts it.
    write_inflight(sub, pending.back().meta.seq, attempt);
    std::string error;
    std::size_t settled = 0;
    bool yielded = false;
    try {
        settled = handle_batch(sub, pending, error, yielded);
    } catch (const std::exception& e) {
        // The batch's transaction itself failed (e.g. an I/O error rolled it back): a failed
        // attempt on its first event, retried with backoff like a failing handler.
        settled = 0;
        error = describe_error(e);
    }
    if (yielded) {
        // Another instance holds this consumer, or already handled these events: nothing was
        // attempted here.
        write_inflight(sub, 0, 0);
        return 0;
    }
    if (settled < pending.size()) {
        const Event& failed = pending[settled];
        int attempts = settled == 0 ? attempt : 1;
        sub.attempts = attempts;
        record_failure(sub, failed, error);
    }
    return static_cast<int>(settled);
}

void Bus::run_handler(db::Tx& tx, Subscription& sub, const Event& ev, const char* outcome_if_new) {
    auto t0 = std::chrono::steady_clock::now();
    // The handled id first: when it is already there the effect is too (same transaction, always).
    bool seen = tx.exec(fmt::format("INSERT INTO {}.inbox_handled (consumer, event_id, handled_at) VALUES (?, ?, ?) "
                                    "ON CONFLICT (consumer, event_id) DO NOTHING",
                                    sub.schema),
                        sub.consumer, ev.meta.id, now_iso8601()) == 0;
    if (!seen) {
        json::value v = json::parse(ev.payload);
        sub.handlers.at(ev.meta.type)(tx, v, ev.meta);
    }
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    tx.exec(fmt::format("INSERT INTO {}.handler_log (correlation_id, consumer, event_id, type, outcome, duration_us, at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        sub.schema),
            ev.meta.correlation_id, sub.consumer, ev.meta.id, ev.meta.type, seen ? "duplicate" : outcome_if_new,
            static_cast<std::int64_t>(us), now_iso8601());
}

void Bus::park_in(db::Tx& tx, Subscription& sub, const Event& ev, int attempts, const std::string& error,
                  const std::string& held_behind) {
    tx.exec(fmt::format("INSERT INTO {}.inbox_failures (consumer, event_id, event_seq, source, type, ordering_key, attempts, "
                        "last_error, next_attempt_ms, parked, held_behind, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 1, ?, ?) "
                        "ON CONFLICT (consumer, event_id) DO UPDATE SET attempts = excluded.attempts, last_error = "
                        "excluded.last_error, parked = 1, held_behind = excluded.held_behind, updated_at = excluded.updated_at",
                        sub.schema),
            sub.consumer, ev.meta.id, ev.meta.seq, ev.meta.source, ev.meta.type, ev.meta.key, attempts, error, held_behind,
            now_iso8601());
    tx.exec(fmt::format("INSERT INTO {}.inbox_positions (consumer, position) VALUES (?, ?) "
                        "ON CONFLICT (consumer) DO UPDATE SET position = excluded.position",
                        sub.schema),
            sub.consumer, ev.meta.seq);
    tx.exec(fmt::format("INSERT INTO {}.handler_log (correlation_id, consumer, event_id, type, outcome, duration_us, at) "
                        "VALUES (?, ?, ?, ?, 'parked', 0, ?)",
                        sub.schema),
            ev.meta.correlation_id, sub.consumer, ev.meta.id, ev.meta.type, now_iso8601());
    tx.after_commit([this, &sub, id = ev.meta.id, key = ev.meta.key, seq = ev.meta.seq, held_behind] {
        std::lock_guard lock(status_mu_);
        ++sub.parked;
        if (held_behind.empty()) sub.parked_keys.emplace(key, id);
        sub.position = std::max(sub.position, seq);
        if (sub.retrying_id == id) sub.retrying_id.clear();
        sub.attempts = 0;
        });
}

std::size_t Bus::handle_batch(Subscription& sub, const std::vector<Event>& events, std::string& error, bool& yielded) {
    std::size_t settled = 0;
    std::vector<Ctx> ctxs;
    ctxs.reserve(events.size());
    for (auto& ev : events) ctxs.push_back(event_ctx(ev.meta));
    Ctx batch_ctx = Ctx::system("bus");
    const bool shared = db_.dialect() == "postgresql";
    db_.write(sub.schema, batch_ctx, [&](db::Tx& tx) {
        settled = 0;
        error.clear();
        yielded = false;
        if (shared) {
            // Several instances may serve this database: one handles a consumer at a time (the
            // others skip it), and from the position the database has, not one it remembers.
            auto lease = tx.one(fmt::format("SELECT position FROM {}.inbox_positions WHERE consumer = ? FOR UPDATE SKIP LOCKED", sub.schema),
                                sub.consumer);
            if (!lease) {
                yielded = true;
                return;
            }
            if (std::int64_t stored = lease->i64(0); stored >= events.front().meta.seq) {
                std::lock_guard lock(status_mu_);
                sub.position = std::max(sub.position, stored);
                yielded = true;
                return;
            }
            std::map<std::string, std::string, std::less<>> keys;
            for (auto& row : tx.query(fmt::format("SELECT ordering_key, event_id FROM {}.inbox_failures "
                                                  "WHERE consumer = ? AND parked = 1 AND held_behind = '' ORDER BY event_seq",
                                                  sub.schema),
                                      sub.consumer))
                keys.emplace(row.str(0), row.str(1));
            std::lock_guard lock(status_mu_);
            sub.parked_keys = std::move(keys);
        }
        for (std::size_t i = 0; i < events.size(); ++i) {
            const Event& ev = events[i];
            tx.set_ctx(ctxs[i]);
            if (auto held = sub.parked_keys.find(ev.meta.key); held != sub.parked_keys.end()) {
                park_in(tx, sub, ev, 0, "held back behind parked event " + held->second + " of the same key", held->second);
                ++settled;
                continue;
            }
            tx.exec("SAVEPOINT event");
            try {
                run_handler(tx, sub, ev, "ok");
                tx.exec("RELEASE event");
                ++settled;
            } catch (const std::exception& e) {
                if (db::must_retry(e)) throw;  // the whole transaction lost a race: it runs again
                error = describe_error(e);
                tx.exec("ROLLBACK TO event");
                tx.exec("RELEASE event");
                break;
            }
        }
        tx.set_ctx(batch_ctx);
        if (settled == 0) return;
        std::int64_t to = events[settled - 1].meta.seq;
        tx.exec(fmt::format("INSERT INTO {}.inbox_positions (consumer, position) VALUES (?, ?) "
                            "ON CONFLICT (consumer) DO UPDATE SET position = excluded.position",
                            sub.schema),
                sub.consumer, to);
        if (!sub.retrying_id.empty())
            tx.exec(fmt::format("DELETE FROM {}.inbox_failures WHERE consumer = ? AND event_id = ? AND parked = 0", sub.schema),
                    sub.consumer, sub.retrying_id);
        tx.after_commit([this, &sub, to] {
            std::lock_guard lock(status_mu_);
            sub.position = std::max(sub.position, to);
            sub.retrying_id.clear();
            sub.attempts = 0;
            sub.blocked_until_ms = 0;
        });
    });
    return settled;
}

void Bus::record_failure(Subscription& sub, const Event& ev, const std::string& error) {
    int attempts = sub.attempts;
    bool park = attempts >= opts_.max_attempts;
    Ctx ctx = event_ctx(ev.meta);
    std::int64_t next = now_ms() + backoff_ms(attempts);
    db_.write(sub.schema, ctx, [&](db::Tx& tx) {
        if (park) {
            park_in(tx, sub, ev, attempts, error, "");
            return;
        }
        tx.exec(fmt::format("INSERT INTO {}.inbox_failures (consumer, event_id, event_seq, source, type, ordering_key, attempts, "
                            "last_error, next_attempt_ms, parked, held_behind, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?) "
                            "ON CONFLICT (consumer, event_id) DO UPDATE SET attempts = excluded.attempts, last_error = "
                            "excluded.last_error, next_attempt_ms = excluded.next_attempt_ms, updated_at = excluded.updated_at",
                            sub.schema),
                sub.consumer, ev.meta.id, ev.meta.seq, ev.meta.source, ev.meta.type, ev.meta.key, attempts, error, next,
                now_iso8601());
        tx.exec(fmt::format("INSERT INTO {}.handler_log (correlation_id, consumer, event_id, type, outcome, duration_us, at) "
                            "VALUES (?, ?, ?, ?, 'failed', 0, ?)",
                            sub.schema),
                ev.meta.correlation_id, sub.consumer, ev.meta.id, ev.meta.type, now_iso8601());
    });
    write_inflight(sub, 0, 0);  // a handled failure is not a crash: a restart must not count it again
    json::object fields{{"consumer", sub.consumer}, {"event_id", ev.meta.id}, {"type", ev.meta.type},
                        {"attempts", attempts}, {"error", error}, {"correlation_id", ev.meta.correlation_id}};
    if (park) {
        log_.error("event parked after repeated failures", std::move(fields));
        return;
    }
    log_.warn("event handler failed; will retry", std::move(fields));
    std::lock_guard lock(status_mu_);
    sub.retrying_id = ev.meta.id;
    sub.blocked_until_ms = next;
}

bool Bus::wait_idle(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (!running_) run_once();
        bool idle = true;
        for (auto& st : status())
            if (st.lag > 0 || st.retrying > 0) idle = false;
        if (idle) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

std::vector<SubscriberStatus> Bus::status() {
    // Sources nobody loaded yet (the bus has not run) are read once.
    for (auto& sub : subs_) {
        bool known;
        {
            std::lock_guard lock(status_mu_);
            known = heads_.count(sub->source) > 0;
        }
        if (!known) {
            auto head = db_.read([&](db::Reader& r) { return r.count(fmt::format("SELECT COALESCE(MAX(seq), 0) FROM {}.outbox", sub->source)); });
            std::lock_guard lock(status_mu_);
            auto& h = heads_[sub->source];
            h = std::max(h, head);
        }
    }
    std::vector<SubscriberStatus> out;
    std::lock_guard lock(status_mu_);
    for (auto& sub : subs_) {
        SubscriberStatus st;
        st.consumer = sub->consumer;
        st.schema = sub->schema;
        st.source = sub->source;
        st.position = sub->position;
        st.head = heads_[sub->source];
        st.lag = std::max<std::int64_t>(0, st.head - st.position);
        st.parked = sub->parked;
        st.retrying = sub->retrying_id.empty() ? 0 : 1;
        out.push_back(std::move(st));
    }
    return out;
}

std::vector<ParkedEvent> Bus::parked() {
    std::vector<ParkedEvent> out;
    std::set<std::string> schemas;
    for (auto& sub : subs_) schemas.insert(sub->schema);
    db_.read([&](db::Reader& r) {
        for (auto& schema : schemas)
            for (auto& row : r.query(fmt::format("SELECT consumer, event_id, source, type, ordering_key, attempts, last_error, "
                                                 "held_behind, updated_at FROM {}.inbox_failures WHERE parked = 1 ORDER BY event_seq",
                                                 schema)))
                out.push_back({row.str(0), row.str(1), row.str(2), row.str(3), row.str(4), row.i64(5), row.str(6), row.str(7),
                               row.str(8)});
    });
    return out;
}

Result<int> Bus::replay(const std::string& event_id, const Ctx& requested_by) {
    std::lock_guard lock(run_mu_);
    int replayed = 0;
    bool found = false;
    for (auto& sub_ptr : subs_) {
        auto& sub = *sub_ptr;
        if (!sub.loaded) load(sub);
        struct Parked {
            std::string id, key, held_behind;
            std::int64_t seq, attempts;
        };
        std::vector<Parked> chain;
        db_.read([&](db::Reader& r) {
            auto head = r.one(fmt::format("SELECT ordering_key, held_behind FROM {}.inbox_failures "
                                          "WHERE consumer = ? AND event_id = ? AND parked = 1",
                                          sub.schema),
                              sub.consumer, event_id);
            if (!head) return;
            if (!head->str(1).empty()) {
                chain.push_back({event_id, head->str(0), head->str(1), 0, 0});
                return;
            }
            for (auto& row : r.query(fmt::format("SELECT event_id, ordering_key, held_behind, event_seq, attempts FROM {}.inbox_failures "
                                                 "WHERE consumer = ? AND parked = 1 AND ordering_key = ? "
                                                 "AND (event_id = ? OR held_behind = ?) ORDER BY event_seq",
                                                 sub.schema),
                                     sub.consumer, head->str(0), event_id, event_id))
                chain.push_back({row.str(0), row.str(1), row.str(2), row.i64(3), row.i64(4)});
        });
        if (chain.empty()) continue;
        found = true;
        if (!chain.front().held_behind.empty())
            return Error(errc::conflict, fmt::format("event {} waits behind parked event {}: replay that one first", event_id,
                                                     chain.front().held_behind));
        std::string key = chain.front().key;
        std::string new_head;
        for (std::size_t i = 0; i < chain.size(); ++i) {
            auto& p = chain[i];
            Event ev;
            bool have = db_.read([&](db::Reader& r) {
                auto row = r.one(fmt::format("SELECT CAST(seq AS BIGINT), type, ordering_key, payload, correlation_id, causation_id, "
                                             "created_at FROM {}.outbox WHERE id = ?",
                                             sub.source),
                                 p.id);
                if (!row) return false;
                ev.meta = {p.id, row->i64(0), sub.source, row->str(1), row->str(2), row->str(4), row->str(5), row->str(6)};
                ev.payload = row->str(3);
                return true;
            });
            Ctx ctx = event_ctx(ev.meta);
            // The handler runs in the event's context; the audit entry names who asked for it.
            auto audit_replay = [&](db::Tx& tx, std::string_view outcome, boost::json::object details) {
                details["consumer"] = sub.consumer;
                details["source"] = sub.source;
                details["requested_for"] = event_id;
                details["requested_in"] = requested_by.correlation_id;
                details["requested_from"] = requested_by.client_address;
                audit::record(tx, audit::actor_of(requested_by), fmt::format("{}.event.{}", sub.schema, outcome), p.id, std::move(details));
            };
            std::string error;
            if (have) {
                try {
                    db_.write(sub.schema, ctx, [&](db::Tx& tx) {
                        run_handler(tx, sub, ev, "ok");
                        tx.exec(fmt::format("DELETE FROM {}.inbox_failures WHERE consumer = ? AND event_id = ?", sub.schema),
                                sub.consumer, p.id);
                        audit_replay(tx, "replayed", {{"type", ev.meta.type}});
                    });
                    ++replayed;
                    std::lock_guard l(status_mu_);
                    --sub.parked;
                    continue;
                } catch (const std::exception& e) {
                    error = describe_error(e);
                }
            } else {
                error = "the event is no longer in its source's outbox";
            }
            // It failed again: it heads the chain now, the rest stays held behind it.
            db_.write(sub.schema, ctx, [&](db::Tx& tx) {
                tx.exec(fmt::format("UPDATE {}.inbox_failures SET attempts = attempts + 1, last_error = ?, held_behind = '', "
                                    "updated_at = ? WHERE consumer = ? AND event_id = ?",
                                    sub.schema),
                        error, now_iso8601(), sub.consumer, p.id);
                audit_replay(tx, "replay_failed", {{"error", error}});
                for (std::size_t k = i + 1; k < chain.size(); ++k)
                    tx.exec(fmt::format("UPDATE {}.inbox_failures SET held_behind = ? WHERE consumer = ? AND event_id = ?", sub.schema),
                            p.id, sub.consumer, chain[k].id);
            });
            log_.warn("replayed event failed again; it stays parked",
                      {{"consumer", sub.consumer}, {"event_id", p.id}, {"error", error}});
            new_head = p.id;
            break;
        }
        std::lock_guard l(status_mu_);
        if (new_head.empty()) sub.parked_keys.erase(key);
        else sub.parked_keys[key] = new_head;
    }
    if (!found) return not_found("no parked event " + event_id);
    if (replayed == 0) return Error(errc::conflict, "the event failed again and stays parked");
    return replayed;
}

std::vector<TraceEntry> Bus::trace(const std::string& correlation_id) {
    std::vector<TraceEntry> out;
    std::set<std::string> schemas;
    for (auto& sub : subs_) {
        schemas.insert(sub->schema);
        schemas.insert(sub->source);
    }
    db_.read([&](db::Reader& r) {
        for (auto& schema : schemas) {
            for (auto& row : r.query(fmt::format("SELECT created_at, id, type FROM {}.outbox WHERE correlation_id = ?", schema),
                                     correlation_id)) {
                TraceEntry t;
                t.at = row.str(0);
                t.kind = "event";
                t.schema = schema;
                t.event_id = row.str(1);
                t.type = row.str(2);
                out.push_back(std::move(t));
            }
            for (auto& row : r.query(fmt::format("SELECT at, event_id, type, consumer, outcome, duration_us FROM {}.handler_log "
                                                 "WHERE correlation_id = ?",
                                                 schema),
                                     correlation_id)) {
                TraceEntry t;
                t.at = row.str(0);
                t.kind = "handler";
                t.schema = schema;
                t.event_id = row.str(1);
                t.type = row.str(2);
                t.consumer = row.str(3);
                t.outcome = row.str(4);
                t.duration_us = row.i64(5);
                out.push_back(std::move(t));
            }
        }
    });
    std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.at < b.at; });
    return out;
}

}  // namespace shop::bus
