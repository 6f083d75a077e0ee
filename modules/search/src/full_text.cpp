#include "full_text.hpp"

#include "domain/query.hpp"
#include "platform/db.hpp"

namespace shop::search {
namespace {

/// The first character of a word, whole (a UTF-8 lead byte and its continuation bytes).
std::string first_char(const std::string& word) {
    std::size_t n = 1;
    while (n < word.size() && (static_cast<unsigned char>(word[n]) & 0xC0) == 0x80) ++n;
    return word.substr(0, n);
}

/// FTS5 over search.products_fts, whose rowid is the document id.
class Fts5 final : public FullText {
public:
    void reindex(db::Tx& tx, std::int64_t doc_id, bool was_indexed, bool published, const std::string& title,
                 const std::string& description) override {
        if (was_indexed) tx.exec("DELETE FROM search.products_fts WHERE rowid = ?", doc_id);
        if (published) tx.exec("INSERT INTO search.products_fts (rowid, title, description) VALUES (?, ?, ?)", doc_id, title, description);
    }
    std::int64_t indexed(db::Reader& r) override { return r.count("SELECT COUNT(*) FROM search.products_fts"); }
    std::int64_t count(db::Reader& r, const std::vector<std::string>& words) override {
        return r.count("SELECT COUNT(*) FROM search.products_fts WHERE products_fts MATCH ?", domain::fts_query(words));
    }
    std::vector<FullTextHit> hits(db::Reader& r, const std::vector<std::string>& words, int limit, int offset) override {
        std::vector<FullTextHit> out;
        for (auto& row : r.query("SELECT d.product_id, d.title, d.slug, d.prices, f.rank FROM "
                                 "(SELECT rowid AS doc_id, bm25(products_fts, 10.0, 1.0) AS rank FROM search.products_fts "
                                 " WHERE products_fts MATCH ? ORDER BY rank, rowid LIMIT ? OFFSET ?) f "
                                 "JOIN search.documents d ON d.doc_id = f.doc_id ORDER BY f.rank, f.doc_id",
                                 domain::fts_query(words), limit, offset))
            out.push_back({row.str(0), row.str(1), row.str(2), row.str(3), -row.f64(4)});
        return out;
    }
    bool known(db::Reader& r, const std::string& word, bool prefix) override {
        if (!prefix) return r.one("SELECT 1 FROM search.products_terms WHERE term = ?", word).has_value();
        auto next = r.one("SELECT term FROM search.products_terms WHERE term >= ? ORDER BY term LIMIT 1", word);
        return next && next->str(0).starts_with(word);
    }
    std::vector<std::string> candidates(db::Reader& r, const std::string& word) override {
        std::vector<std::string> out;
        std::string from = first_char(word), to = from;
        to.back() = static_cast<char>(static_cast<unsigned char>(to.back()) + 1);
        for (auto& row : r.query("SELECT term FROM search.products_terms WHERE term >= ? AND term < ? LIMIT 20000", from, to))
            out.push_back(row.str(0));
        return out;
    }
    std::vector<std::string> matching_prices(db::Reader& r, const std::vector<std::string>& words, int limit) override {
        std::vector<std::string> out;
        for (auto& row : r.query("SELECT d.prices FROM (SELECT rowid AS doc_id FROM search.products_fts WHERE products_fts MATCH ? "
                                 "LIMIT ?) f JOIN search.documents d ON d.doc_id = f.doc_id",
                                 domain::fts_query(words), limit))
            out.push_back(row.str(0));
        return out;
    }
};

/// search.documents.document: a generated tsvector (title weight A, description B) under a
/// partial GIN index of the published documents.
class PgTsvector final : public FullText {
public:
    void reindex(db::Tx& tx, std::int64_t doc_id, bool, bool published, const std::string&, const std::string&) override {
        // The tsvector is a generated column of the row just written; its lexemes join the term
        // list (terms are never removed: a stale one only means a correction with no hits, which
        // search() does not offer).
        if (published)
            tx.exec("INSERT INTO search.terms (term) SELECT unnest(tsvector_to_array(document)) FROM search.documents "
                    "WHERE doc_id = ? ON CONFLICT DO NOTHING",
                    doc_id);
    }
    void repair(db::Tx& tx) override {
        if (tx.one("SELECT 1 FROM search.terms LIMIT 1")) return;
        tx.exec("INSERT INTO search.terms (term) SELECT DISTINCT unnest(tsvector_to_array(document)) FROM search.documents "
                "WHERE status = 'published' ON CONFLICT DO NOTHING");
    }
    bool known(db::Reader& r, const std::string& word, bool prefix) override {
        if (!prefix) return r.one("SELECT 1 FROM search.terms WHERE term = ?", word).has_value();
        return r.one("SELECT 1 FROM search.terms WHERE term LIKE ? LIMIT 1", word + "%").has_value();  // words are letters and digits only
    }
    std::vector<std::string> candidates(db::Reader& r, const std::string& word) override {
        std::vector<std::string> out;
        // pg_trgm's default threshold (0.3) misses one typo in a short word ("yoag" / "yoga": 0.25).
        r.one("SELECT set_config('pg_trgm.similarity_threshold', '0.2', false)");
        for (auto& row : r.query("SELECT term FROM search.terms WHERE term OPERATOR(search.%) ? "
                                 "UNION SELECT term FROM (SELECT term FROM search.terms WHERE term LIKE ? LIMIT 20000) f",
                                 word, first_char(word) + "%"))
            out.push_back(row.str(0));
        return out;
    }
    std::int64_t indexed(db::Reader& r) override { return r.count("SELECT COUNT(*) FROM search.documents WHERE status = 'published'"); }
    std::int64_t count(db::Reader& r, const std::vector<std::string>& words) override {
        return r.count("SELECT COUNT(*) FROM search.documents WHERE status = 'published' AND document @@ to_tsquery('simple', ?)",
                       domain::tsquery(words));
    }
    std::vector<FullTextHit> hits(db::Reader& r, const std::vector<std::string>& words, int limit, int offset) override {
        std::vector<FullTextHit> out;
        // Weights {D, C, B, A}: the title (A) counts ten times the description (B).
        for (auto& row : r.query("SELECT product_id, title, slug, prices, ts_rank_cd('{0.01, 0.01, 0.1, 1.0}', document, q) AS rank "
                                 "FROM search.documents, to_tsquery('simple', ?) q "
                                 "WHERE status = 'published' AND document @@ q ORDER BY rank DESC, doc_id LIMIT ? OFFSET ?",
                                 domain::tsquery(words), limit, offset))
            out.push_back({row.str(0), row.str(1), row.str(2), row.str(3), row.f64(4)});
        return out;
    }
    std::vector<std::string> matching_prices(db::Reader& r, const std::vector<std::string>& words, int limit) override {
        std::vector<std::string> out;
        for (auto& row : r.query("SELECT prices FROM search.documents WHERE status = 'published' AND document @@ to_tsquery('simple', ?) "
                                 "LIMIT ?",
                                 domain::tsquery(words), limit))
            out.push_back(row.str(0));
        return out;
    }
};

}  // namespace

std::unique_ptr<FullText> make_full_text(std::string_view dialect) {
    if (dialect == "postgresql") return std::make_unique<PgTsvector>();
    return std::make_unique<Fts5>();
}

}  // namespace shop::search
