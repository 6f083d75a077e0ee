#pragma once
// The search index in memory: every published product with what filters, facets, sorts and hits
// need, an inverted index of their words (title and description) and a second one of the names
// autocomplete offers (titles, brands, categories). Built whole from the search module's tables and
// never changed afterwards, so any number of threads query one Index at once. Pure: no I/O.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shop::search::domain {

struct Price {
    std::string currency;
    std::int64_t amount = 0;  ///< minor units: the lowest of the product's variants
};

struct Document {
    std::string product_id, title, slug, description;
    std::string brand_id;                   ///< "" without a brand
    std::vector<std::string> category_ids;  ///< as placed (ancestors are added by the index)
    std::vector<Price> prices;
    std::string image_url;
    double rating_average = 0;
    std::int64_t rating_count = 0;
    bool in_stock = false;
};

struct Category {
    std::string id, name, slug, parent_id;
};

struct Brand {
    std::string id, name, slug;
};

struct Collection {
    std::string id, name, slug;
    std::vector<std::string> product_ids;
};

/// Everything an Index is built from (published documents only).
struct Corpus {
    std::vector<Document> documents;
    std::vector<Category> categories;
    std::vector<Brand> brands;
    std::vector<Collection> collections;
};

enum class Sort { relevance, price_asc, price_desc, newest, rating };

/// Filters, already resolved to ids. Values of one facet combine with OR, facets with AND.
struct Filters {
    std::vector<std::string> brand_ids;
    std::vector<std::string> category_ids;  ///< each with everything below it
    std::string collection_id;              ///< "" for none
    std::optional<std::int64_t> min_price, max_price;  ///< in `currency`, inclusive; products without a price there fail
    std::optional<int> min_rating;                     ///< average at least this
    bool in_stock_only = false;
};

struct Query {
    std::vector<std::string> words;  ///< from tokenize(); every one must match, the last as a prefix
    std::string currency;
    Filters filters;
    Sort sort = Sort::relevance;
    int offset = 0, limit = 20;
};

struct Hit {
    const Document* doc = nullptr;
    double score = 0;  ///< bm25 with the title weighing ten times the description; higher first
};

struct FacetCount {
    std::string id, name, slug;
    std::int64_t count = 0;
};

/// Upper bounds (exclusive, minor units) of the price buckets; the last bucket has none.
inline constexpr std::array<std::int64_t, 5> kPriceEdges = {1000, 2500, 5000, 10000, 25000};

struct Results {
    std::int64_t total = 0;  ///< products passing the words and every filter
    std::vector<Hit> hits;   ///< the asked page of them, sorted
    /// Each facet counts the products that pass the words and every filter except its own
    /// (disjunctive faceting: choosing a brand does not hide the other brands).
    std::vector<FacetCount> brands;      ///< most products first, then by name
    std::vector<FacetCount> categories;  ///< a product counts in its categories and all their ancestors
    std::array<std::int64_t, kPriceEdges.size() + 1> price_buckets{};
    std::array<std::int64_t, 5> rating_at_least{};  ///< [i]: products rated at least i + 1 on average
    std::optional<std::string> suggestion;           ///< the corrected query whose results these are
};

struct Suggestion {
    std::string kind;  ///< "category", "brand" or "product"
    std::string text, id, slug;
};

struct Suggestions {
    std::vector<Suggestion> items;
    std::optional<std::string> corrected;  ///< the corrected words when the typed ones matched nothing
};

class Index {
public:
    explicit Index(Corpus corpus);
    Index(const Index&) = delete;  // lookups point into its own strings
    Index& operator=(const Index&) = delete;

    /// Runs a query; when no product has all the words as typed, each word no indexed term matches
    /// is replaced by the term it is most probably a mistyping of (correction()) and the results
    /// are those of the corrected words, which come back as `suggestion`.
    Results search(const Query& q) const;
    /// Names starting with what is being typed: every word of `q` begins a word of the name (the
    /// words typed out in full match whole words first). When nothing begins so, mistyped words are
    /// corrected as in search(). Categories, then brands, then products; shorter names first.
    Suggestions suggest(std::string_view q, std::size_t limit) const;

    /// A published product by id or slug.
    const Document* find(std::string_view key) const;
    /// Published products that share the deepest category of `doc` (then its parent's, up to the
    /// root), best rated first, without `doc` and those in `exclude`.
    std::vector<const Document*> same_category(const Document& doc, std::size_t limit, const std::vector<std::string>& exclude) const;

    /// A category, brand or collection by id or slug.
    const Category* category(std::string_view key) const;
    const Brand* brand(std::string_view key) const;
    const Collection* collection(std::string_view key) const;
    /// The lowest price of `doc` in `currency`.
    std::optional<std::int64_t> price(const Document& doc, std::string_view currency) const;
    std::size_t size() const noexcept { return docs_.size(); }

private:
    struct Posting {
        std::uint32_t doc;
        std::uint16_t title_tf, body_tf;
    };
    struct TermRange {
        std::size_t first, last;  ///< [first, last) in terms_
    };
    TermRange prefixed(const std::vector<std::string>& dict, std::string_view prefix) const;
    /// The documents having all `words` (the last as a prefix) into `matched`, their scores into
    /// `scores` (indexed by document).
    void match(const std::vector<std::string>& words, std::vector<std::uint32_t>& matched, std::vector<double>& scores) const;
    /// `words` with each one that no term of `dict` matches replaced by its correction, if any.
    std::vector<std::string> corrected(const std::vector<std::string>& words, const std::vector<std::string>& dict, bool all_prefixes,
                                       bool& changed) const;
    Results run(const Query& q, const std::vector<std::uint32_t>& matched, const std::vector<double>& scores) const;
    std::vector<std::uint32_t> name_matches(const std::vector<std::string>& words) const;

    std::vector<Document> docs_;
    std::unordered_map<std::string_view, std::uint32_t> by_product_, by_slug_;
    std::vector<std::uint32_t> title_len_, body_len_;
    double avg_len_ = 1;
    std::vector<std::string> terms_;              ///< sorted
    std::vector<std::vector<Posting>> postings_;  ///< per term, by document
    // Facets and filters by small integers.
    std::vector<Category> categories_;
    std::vector<Brand> brands_;
    std::vector<Collection> collections_;
    std::vector<int> doc_brand_;                          ///< index in brands_, -1 for none
    std::vector<std::vector<int>> doc_categories_;        ///< indexes in categories_, with ancestors, each once
    std::vector<std::vector<int>> doc_deepest_;           ///< per document: its placed categories, then their ancestors, nearest first
    std::vector<std::vector<std::uint32_t>> collection_docs_;  ///< sorted document indexes per collection
    std::vector<std::vector<std::uint32_t>> category_docs_;    ///< per category: the documents in it or below it
    std::vector<std::string> currencies_;
    std::vector<std::vector<std::int64_t>> doc_prices_;  ///< per currency slot, -1 for none
    // Autocomplete: names and the words in them.
    struct Name {
        std::string kind, text, id, slug;
        std::string lower;  ///< text in lower case, for "begins with what was typed"
    };
    std::vector<Name> names_;
    std::vector<std::string> name_terms_;                ///< sorted
    std::vector<std::vector<std::uint32_t>> name_posts_;  ///< per term: names having it
};

/// Every word of a text, as tokenize() splits a query, without its limits.
std::vector<std::string> words_of(std::string_view text);

}  // namespace shop::search::domain
