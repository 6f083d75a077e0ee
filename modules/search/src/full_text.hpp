#pragma once
// The search module's full-text index, one implementation per database: SQLite's FTS5 (bm25) and
// PostgreSQL's tsvector with a GIN index (ts_rank_cd). Both weigh the title ten times the
// description, match every word, the last one as a prefix, and rank ties by document id. Both
// keep the list of indexed terms that typo tolerance corrects against (fts5vocab; a table with a
// trigram index).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shop::db {
class Reader;
class Tx;
}  // namespace shop::db

namespace shop::search {

struct FullTextHit {
    std::string product_id, title, slug, prices;
    double score = 0;  ///< higher is better
};

class FullText {
public:
    virtual ~FullText() = default;
    /// Called after search.documents was written for `doc_id`: make the index follow it.
    virtual void reindex(db::Tx& tx, std::int64_t doc_id, bool was_indexed, bool published, const std::string& title,
                         const std::string& description) = 0;
    virtual std::int64_t indexed(db::Reader& r) = 0;
    /// How many published documents match every word (`words` from domain::tokenize).
    virtual std::int64_t count(db::Reader& r, const std::vector<std::string>& words) = 0;
    virtual std::vector<FullTextHit> hits(db::Reader& r, const std::vector<std::string>& words, int limit, int offset) = 0;
    /// Whether a published document has the term `word` (with `prefix`, a term beginning with it).
    virtual bool known(db::Reader& r, const std::string& word, bool prefix) = 0;
    /// Indexed terms `word` could be a mistyping of: every term sharing its first letter, and on
    /// PostgreSQL also the terms sharing enough trigrams with it (pg_trgm), which catches a wrong
    /// first letter too. domain::correction() picks among them.
    virtual std::vector<std::string> candidates(db::Reader& r, const std::string& word) = 0;
    /// At start: rebuilds derived lookup data that is missing (the PostgreSQL term list after
    /// `shop migrate-data` copied the documents without it).
    virtual void repair(db::Tx&) {}
    /// The prices JSON of (at most) the first `limit` matches, for facets.
    virtual std::vector<std::string> matching_prices(db::Reader& r, const std::vector<std::string>& words, int limit) = 0;
};

std::unique_ptr<FullText> make_full_text(std::string_view dialect);

}  // namespace shop::search
