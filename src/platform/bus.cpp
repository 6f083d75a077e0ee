#include "platform/bus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "platform/ids.hpp"

namespace shop::bus {
namespace json = boost::json;

Bus::Bus(db::Database& db, Options opts, Logger& log) : db_(db), opts_(opts), log_(log) {}

Bus::~Bus() { stop(); }

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
            if (n > 0) continue;
            std::unique_lock lock(wake_mu_);
            wake_cv_.wait_for(lock, std::chrono::milliseconds(opts_.poll_interval_ms), [&] { return woken_ || !running_; });
            woken_ = false;
        }
    });
}

void Bus::stop() {
    if (!running_.exchange(false)) return;
    notify();
    if (thread_.joinable()) thread_.join();
}

void Bus::notify() {
    {
        std::lock_guard lock(wake_mu_);
        woken_ = true;
    }
    wake_cv_.notify_one();
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

int Bus::deliver(Subscription& sub) {
    if (sub.blocked_until_ms > now_ms()) return 0;
    if (sub.position < 0) {
        std::int64_t pos = 0;
        soci::indicator ind = soci::i_null;
        db_.read([&](soci::session& s) {
            s << fmt::format("SELECT position FROM {}.inbox_positions WHERE consumer = :c", sub.schema), soci::into(pos, ind),
                soci::use(sub.consumer);
        });
        sub.position = (ind == soci::i_ok ? pos : 0);
        long long head = 0;
        db_.read([&](soci::session& s) { s << fmt::format("SELECT COALESCE(MAX(seq), 0) FROM {}.outbox", sub.source), soci::into(head); });
        if (sub.position > head) {
            // Only after restoring files copied at different moments: new events would reuse
            // sequence numbers the consumer believes it has seen. Start from the source's head.
            log_.warn("consumer position is ahead of its source; rewinding to the source's head",
                      {{"consumer", sub.consumer}, {"position", sub.position}, {"head", head}});
            sub.position = head;
        }
    }
    struct Row {
        EventMeta meta;
        std::string payload;
    };
    std::vector<Row> rows;
    db_.read([&](soci::session& s) {
        soci::rowset<soci::row> rs = (s.prepare << fmt::format(
            "SELECT CAST(seq AS BIGINT), id, type, payload, correlation_id, causation_id, created_at FROM {}.outbox "
            "WHERE seq > :pos ORDER BY seq LIMIT {}", sub.source, opts_.batch), soci::use(sub.position));
        for (auto& r : rs) {
            Row row;
            row.meta.seq = db::col_int(r, 0);
            row.meta.id = db::col_str(r, 1);
            row.meta.type = db::col_str(r, 2);
            row.payload = db::col_str(r, 3);
            row.meta.correlation_id = db::col_str(r, 4);
            row.meta.causation_id = db::col_str(r, 5);
            row.meta.created_at = db::col_str(r, 6);
            row.meta.source = sub.source;
            rows.push_back(std::move(row));
        }
    });
    int handled = 0;
    std::int64_t skipped_to = sub.position;
    for (auto& row : rows) {
        if (sub.handlers.find(row.meta.type) == sub.handlers.end()) {
            skipped_to = row.meta.seq;
            continue;
        }
        if (!handle_one(sub, row.meta, row.payload, false)) break;
        skipped_to = sub.position;
        ++handled;
    }
    if (skipped_to > sub.position) {
        Ctx ctx = Ctx::system("bus");
        db_.write(sub.schema, ctx, [&](db::Tx& tx) {
            tx.sql() << fmt::format("INSERT INTO {}.inbox_positions (consumer, position) VALUES (:c, :p) "
                                    "ON CONFLICT (consumer) DO UPDATE SET position = excluded.position", sub.schema),
                soci::use(sub.consumer), soci::use(skipped_to);
        });
        sub.position = skipped_to;
    }
    return handled;
}

// Returns false when the consumer must stop (the event failed and will be retried later).
bool Bus::handle_one(Subscription& sub, const EventMeta& meta, const std::string& payload, bool replaying) {
    Ctx ctx;
    ctx.correlation_id = meta.correlation_id;
    ctx.causation_id = meta.id;
    const std::string& schema = sub.schema;
    auto t0 = std::chrono::steady_clock::now();
    auto elapsed_us = [&] {
        return static_cast<long long>(
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
    };
    auto log_handler = [&](db::Tx& tx, const std::string& outcome) {
        long long us = elapsed_us();
        std::string at = now_iso8601();
        tx.sql() << fmt::format("INSERT INTO {}.handler_log (correlation_id, consumer, event_id, type, outcome, "
                                "duration_us, at) VALUES (:corr, :c, :e, :t, :o, :d, :at)", schema),
            soci::use(meta.correlation_id), soci::use(sub.consumer), soci::use(meta.id), soci::use(meta.type),
            soci::use(outcome), soci::use(us), soci::use(at);
    };
    try {
        json::value v = json::parse(payload);
        db_.write(schema, ctx, [&](db::Tx& tx) {
            int seen = 0;
            tx.sql() << fmt::format("SELECT COUNT(*) FROM {}.inbox_handled WHERE consumer = :c AND event_id = :e", schema),
                soci::into(seen), soci::use(sub.consumer), soci::use(meta.id);
            if (seen == 0) {
                sub.handlers.at(meta.type)(tx, v, meta);
                std::string at = now_iso8601();
                tx.sql() << fmt::format("INSERT INTO {}.inbox_handled (consumer, event_id, handled_at) VALUES (:c, :e, :at)", schema),
                    soci::use(sub.consumer), soci::use(meta.id), soci::use(at);
            }
            if (!replaying) {
                tx.sql() << fmt::format("INSERT INTO {}.inbox_positions (consumer, position) VALUES (:c, :p) "
                                        "ON CONFLICT (consumer) DO UPDATE SET position = excluded.position", schema),
                    soci::use(sub.consumer), soci::use(meta.seq);
            }
            tx.sql() << fmt::format("DELETE FROM {}.inbox_failures WHERE consumer = :c AND event_id = :e", schema),
                soci::use(sub.consumer), soci::use(meta.id);
            log_handler(tx, seen ? "duplicate" : "ok");
        });
        if (!replaying) {
            sub.position = meta.seq;
            sub.attempts = 0;
        }
        return true;
    } catch (const std::exception& e) {
        std::string error = e.what();
        if (const auto* ee = dynamic_cast<const ErrorException*>(&e)) error = std::string(ee->error().code()) + ": " + ee->error().detail;
        int attempts = 0;
        db_.read([&](soci::session& s) {
            soci::indicator ind = soci::i_null;
            s << fmt::format("SELECT attempts FROM {}.inbox_failures WHERE consumer = :c AND event_id = :e", schema),
                soci::into(attempts, ind), soci::use(sub.consumer), soci::use(meta.id);
            if (ind != soci::i_ok) attempts = 0;
        });
        ++attempts;
        bool park = replaying || attempts >= opts_.max_attempts;
        long long next = now_ms() + backoff_ms(attempts);
        int parked = park ? 1 : 0;
        db_.write(schema, ctx, [&](db::Tx& tx) {
            std::string at = now_iso8601();
            tx.sql() << fmt::format(
                "INSERT INTO {}.inbox_failures (consumer, event_id, event_seq, source, type, attempts, last_error, "
                "next_attempt_ms, parked, updated_at) VALUES (:c, :e, :seq, :src, :t, :a, :err, :next, :parked, :at) "
                "ON CONFLICT (consumer, event_id) DO UPDATE SET attempts = excluded.attempts, last_error = "
                "excluded.last_error, next_attempt_ms = excluded.next_attempt_ms, parked = excluded.parked, "
                "updated_at = excluded.updated_at", schema),
                soci::use(sub.consumer), soci::use(meta.id), soci::use(meta.seq), soci::use(meta.source),
                soci::use(meta.type), soci::use(attempts), soci::use(error), soci::use(next), soci::use(parked),
                soci::use(at);
            if (park && !replaying) {
                tx.sql() << fmt::format("INSERT INTO {}.inbox_positions (consumer, position) VALUES (:c, :p) "
                                        "ON CONFLICT (consumer) DO UPDATE SET position = excluded.position", schema),
                    soci::use(sub.consumer), soci::use(meta.seq);
            }
            log_handler(tx, park ? "parked" : "failed");
        });
        json::object fields{{"consumer", sub.consumer}, {"event_id", meta.id}, {"type", meta.type},
                            {"attempts", attempts}, {"error", error}, {"correlation_id", meta.correlation_id}};
        if (replaying) return false;
        if (park) {
            log_.error("event parked after repeated failures", std::move(fields));
            sub.position = meta.seq;
            sub.attempts = 0;
            sub.blocked_until_ms = 0;
            return true;  // the consumer moves on past the parked event
        }
        log_.warn("event handler failed; will retry", std::move(fields));
        sub.attempts = attempts;
        sub.blocked_until_ms = next;
        return false;
    }
}

bool Bus::wait_idle(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!running_) run_once();
        bool idle = true;
        for (auto& st : status())
            if (st.lag > 0 || st.retrying > 0) idle = false;
        if (idle) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

std::vector<SubscriberStatus> Bus::status() {
    std::vector<SubscriberStatus> out;
    db_.read([&](soci::session& s) {
        for (auto& sub : subs_) {
            SubscriberStatus st;
            st.consumer = sub->consumer;
            st.schema = sub->schema;
            st.source = sub->source;
            soci::indicator ind = soci::i_null;
            long long pos = 0, head = 0, lag = 0, parked = 0, retrying = 0;
            s << fmt::format("SELECT position FROM {}.inbox_positions WHERE consumer = :c", sub->schema), soci::into(pos, ind),
                soci::use(sub->consumer);
            if (ind != soci::i_ok) pos = 0;
            s << fmt::format("SELECT COALESCE(MAX(seq), 0) FROM {}.outbox", sub->source), soci::into(head);
            s << fmt::format("SELECT COUNT(*) FROM {}.outbox WHERE seq > :p", sub->source), soci::into(lag), soci::use(pos);
            s << fmt::format("SELECT COUNT(*) FROM {}.inbox_failures WHERE consumer = :c AND parked = 1", sub->schema),
                soci::into(parked), soci::use(sub->consumer);
            s << fmt::format("SELECT COUNT(*) FROM {}.inbox_failures WHERE consumer = :c AND parked = 0", sub->schema),
                soci::into(retrying), soci::use(sub->consumer);
            st.position = pos;
            st.head = head;
            st.lag = lag;
            st.parked = parked;
            st.retrying = retrying;
            out.push_back(std::move(st));
        }
    });
    return out;
}

std::vector<ParkedEvent> Bus::parked() {
    std::vector<ParkedEvent> out;
    std::set<std::string> schemas;
    for (auto& sub : subs_) schemas.insert(sub->schema);
    db_.read([&](soci::session& s) {
        for (auto& schema : schemas) {
            soci::rowset<soci::row> rs = (s.prepare << fmt::format(
                "SELECT consumer, event_id, source, type, attempts, last_error, updated_at FROM {}.inbox_failures "
                "WHERE parked = 1 ORDER BY updated_at", schema));
            for (auto& r : rs)
                out.push_back({db::col_str(r, 0), db::col_str(r, 1), db::col_str(r, 2), db::col_str(r, 3),
                               db::col_int(r, 4), db::col_str(r, 5), db::col_str(r, 6)});
        }
    });
    return out;
}

Result<int> Bus::replay(const std::string& event_id) {
    std::lock_guard lock(run_mu_);
    int replayed = 0;
    bool found = false;
    for (auto& sub : subs_) {
        int parked = 0;
        db_.read([&](soci::session& s) {
            s << fmt::format("SELECT COUNT(*) FROM {}.inbox_failures WHERE consumer = :c AND event_id = :e AND parked = 1",
                             sub->schema),
                soci::into(parked), soci::use(sub->consumer), soci::use(event_id);
        });
        if (!parked) continue;
        found = true;
        EventMeta meta;
        std::string payload;
        db_.read([&](soci::session& s) {
            long long seq = 0;
            s << fmt::format("SELECT seq, type, payload, correlation_id, causation_id, created_at FROM {}.outbox WHERE id = :id",
                             sub->source),
                soci::into(seq), soci::into(meta.type), soci::into(payload), soci::into(meta.correlation_id),
                soci::into(meta.causation_id), soci::into(meta.created_at), soci::use(event_id);
            meta.seq = seq;
        });
        meta.id = event_id;
        meta.source = sub->source;
        if (handle_one(*sub, meta, payload, true)) ++replayed;
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
    db_.read([&](soci::session& s) {
        for (auto& schema : schemas) {
            soci::rowset<soci::row> ev = (s.prepare << fmt::format(
                "SELECT created_at, id, type FROM {}.outbox WHERE correlation_id = :c", schema), soci::use(correlation_id));
            for (auto& r : ev) {
                TraceEntry t;
                t.at = db::col_str(r, 0);
                t.kind = "event";
                t.schema = schema;
                t.event_id = db::col_str(r, 1);
                t.type = db::col_str(r, 2);
                out.push_back(std::move(t));
            }
            soci::rowset<soci::row> hs = (s.prepare << fmt::format(
                "SELECT at, event_id, type, consumer, outcome, duration_us FROM {}.handler_log WHERE correlation_id = :c",
                schema), soci::use(correlation_id));
            for (auto& r : hs) {
                TraceEntry t;
                t.at = db::col_str(r, 0);
                t.kind = "handler";
                t.schema = schema;
                t.event_id = db::col_str(r, 1);
                t.type = db::col_str(r, 2);
                t.consumer = db::col_str(r, 3);
                t.outcome = db::col_str(r, 4);
                t.duration_us = db::col_int(r, 5);
                out.push_back(std::move(t));
            }
        }
    });
    std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.at < b.at; });
    return out;
}

}  // namespace shop::bus
