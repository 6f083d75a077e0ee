#include "platform/audit.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "platform/db.hpp"
#include "platform/ids.hpp"

namespace shop::audit {
namespace json = boost::json;

Actor actor_of(const Ctx& ctx) {
    if (!ctx.principal) return {ctx.client_address.empty() ? "system" : "anonymous", ""};
    const Principal& p = *ctx.principal;
    if (!p.api_key_id.empty()) return {"api_key", p.api_key_id};
    // Background work may run under a principal of its own (seeding acts as an admin named `seed`).
    if (!is_id(p.user_id, "usr")) return {"system", p.user_id};
    return {"user", p.user_id};
}

namespace {
/// The number of dot-separated lower-case words in `action`, or 0 when it is malformed.
int action_words(std::string_view action) noexcept {
    int words = 0;
    std::size_t start = 0;
    while (start <= action.size()) {
        std::size_t end = action.find('.', start);
        if (end == std::string_view::npos) end = action.size();
        std::string_view w = action.substr(start, end - start);
        if (w.empty() || w.size() > 40 || w[0] == '_') return 0;
        for (char c : w)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
        ++words;
        start = end + 1;
    }
    return words;
}
}  // namespace

bool valid_action(std::string_view action) noexcept { return action_words(action) >= 2; }
bool valid_action_prefix(std::string_view prefix) noexcept { return action_words(prefix) >= 1; }

void record(db::Tx& tx, const Actor& actor, std::string_view action, std::string_view target, json::object details) {
    if (!valid_action(action)) throw std::logic_error(fmt::format("audit action '{}' is not dot-separated lower-case words", action));
    if (action.substr(0, action.find('.')) != tx.schema())
        throw std::logic_error(fmt::format("audit action '{}' written in schema '{}': an entry's first word is its module", action, tx.schema()));
    std::int64_t ms = now_ms();
    tx.exec(fmt::format("INSERT INTO {}.audit_log (id, at, at_ms, actor_type, actor_id, action, target, details, client_address, "
                        "correlation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        tx.schema()),
            new_id("aud"), iso8601(ms), ms, actor.type, actor.id, action, target, json::serialize(details), tx.ctx().client_address,
            tx.ctx().correlation_id);
}

void record(db::Tx& tx, std::string_view action, std::string_view target, json::object details) {
    record(tx, actor_of(tx.ctx()), action, target, std::move(details));
}

void record(db::Database& db, std::string_view schema, const Ctx& ctx, const Actor& actor, std::string_view action,
            std::string_view target, json::object details) {
    db.write(schema, ctx, [&](db::Tx& tx) { record(tx, actor, action, target, std::move(details)); });
}

Page read(db::Database& db, const std::vector<std::string>& schemas, const Query& q) {
    std::vector<std::string> from = schemas;
    if (!q.action_prefix.empty()) {
        std::string module = q.action_prefix.substr(0, q.action_prefix.find('.'));
        if (std::find(schemas.begin(), schemas.end(), module) != schemas.end()) from = {module};
    }
    std::string where = "id < ?";
    std::string before = q.before_id.empty() ? std::string("~") : q.before_id;  // '~' sorts after every id
    // Actions are lower-case words, digits, '_' and '.': only '_' needs escaping in a LIKE pattern.
    std::string word_prefix;
    for (char c : q.action_prefix) {
        if (c == '_') word_prefix += '!';
        word_prefix += c;
    }
    word_prefix += ".%";
    std::vector<db::Param> params{db::Param(before)};
    if (!q.actor.empty()) {
        where += " AND (actor_id = ? OR actor_type = ?)";
        params.emplace_back(q.actor);
        params.emplace_back(q.actor);
    }
    if (!q.action_prefix.empty()) {
        where += " AND (action = ? OR action LIKE ? ESCAPE '!')";
        params.emplace_back(q.action_prefix);
        params.emplace_back(word_prefix);
    }
    if (q.from_ms) {
        where += " AND at_ms >= ?";
        params.emplace_back(*q.from_ms);
    }
    if (q.to_ms) {
        where += " AND at_ms < ?";
        params.emplace_back(*q.to_ms);
    }
    params.emplace_back(static_cast<std::int64_t>(q.limit + 1));
    std::vector<Entry> all;
    db.read([&](db::Reader& r) {
        for (auto& schema : from) {
            auto sql = fmt::format("SELECT id, at, actor_type, actor_id, action, target, details, client_address, correlation_id "
                                   "FROM {}.audit_log WHERE {} ORDER BY id DESC LIMIT ?",
                                   schema, where);
            for (auto& row : r.query_params(sql, params)) {
                Entry e;
                e.id = row.str(0);
                e.at = row.str(1);
                e.actor = {row.str(2), row.str(3)};
                e.action = row.str(4);
                e.target = row.str(5);
                auto parsed = json::parse(row.str(6));
                if (parsed.is_object()) e.details = std::move(parsed.as_object());
                e.client_address = row.str(7);
                e.correlation_id = row.str(8);
                e.schema = schema;
                all.push_back(std::move(e));
            }
        }
    });
    // Each schema gave its newest limit+1: the merged newest limit+1 are among them.
    std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) { return a.id > b.id; });
    Page page;
    page.more = static_cast<int>(all.size()) > q.limit;
    if (page.more) all.resize(q.limit);
    page.entries = std::move(all);
    return page;
}

}  // namespace shop::audit
