#include "domain/index.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "domain/query.hpp"

namespace shop::search::domain {
namespace {

// bm25 as SQLite's FTS5 computes it, over one field where a title word counts ten times.
constexpr double kK1 = 1.2, kB = 0.75, kTitleWeight = 10;

/// The first character of a word, whole (a UTF-8 lead byte and its continuation bytes).
std::string first_char(const std::string& word) {
    std::size_t n = 1;
    while (n < word.size() && (static_cast<unsigned char>(word[n]) & 0xC0) == 0x80) ++n;
    return word.substr(0, n);
}

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

int kind_rank(const std::string& kind) { return kind == "category" ? 0 : kind == "brand" ? 1 : 2; }

/// Adds `id` to the sorted-term dictionary being built.
void add_term(std::map<std::string, std::vector<std::uint32_t>>& terms, const std::string& term, std::uint32_t id) {
    auto& ids = terms[term];
    if (ids.empty() || ids.back() != id) ids.push_back(id);
}

}  // namespace

std::vector<std::string> words_of(std::string_view text) {
    std::vector<std::string> out;
    std::string cur;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c >= 0x80) {
            cur.push_back(static_cast<char>(std::tolower(c)));
        } else if (!cur.empty()) {
            out.push_back(std::move(cur));
            cur.clear();
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

Index::Index(Corpus corpus)
    : docs_(std::move(corpus.documents)),
      categories_(std::move(corpus.categories)),
      brands_(std::move(corpus.brands)),
      collections_(std::move(corpus.collections)) {
    const auto n = static_cast<std::uint32_t>(docs_.size());
    std::unordered_map<std::string_view, int> category_at, brand_at;
    for (std::size_t i = 0; i < categories_.size(); ++i) category_at[categories_[i].id] = static_cast<int>(i);
    for (std::size_t i = 0; i < brands_.size(); ++i) brand_at[brands_[i].id] = static_cast<int>(i);

    // Words: one map while building, then the sorted arrays queries read.
    std::map<std::string, std::vector<Posting>> words;
    std::uint64_t total_len = 0;
    title_len_.resize(n);
    body_len_.resize(n);
    doc_brand_.assign(n, -1);
    doc_categories_.resize(n);
    doc_deepest_.resize(n);
    category_docs_.resize(categories_.size());
    for (std::uint32_t d = 0; d < n; ++d) {
        const auto& doc = docs_[d];
        by_product_[doc.product_id] = d;
        by_slug_[doc.slug] = d;
        std::map<std::string, std::pair<std::uint16_t, std::uint16_t>> tf;
        auto title = words_of(doc.title), body = words_of(doc.description);
        for (auto& w : title) tf[w].first = static_cast<std::uint16_t>(std::min(65535, tf[w].first + 1));
        for (auto& w : body) tf[w].second = static_cast<std::uint16_t>(std::min(65535, tf[w].second + 1));
        for (auto& [w, f] : tf) words[w].push_back({d, f.first, f.second});
        title_len_[d] = static_cast<std::uint32_t>(title.size());
        body_len_[d] = static_cast<std::uint32_t>(body.size());
        total_len += title.size() * static_cast<std::uint64_t>(kTitleWeight) + body.size();

        if (auto b = brand_at.find(doc.brand_id); b != brand_at.end()) doc_brand_[d] = b->second;
        // Placed categories first, then their ancestors nearest first; each once; a broken parent
        // chain (a cycle can not come from the catalog, but a copy may lag) ends at a repeat.
        std::vector<int> chain;
        std::set<int> seen;
        for (auto& c : doc.category_ids)
            if (auto it = category_at.find(c); it != category_at.end() && seen.insert(it->second).second) chain.push_back(it->second);
        for (std::size_t k = 0; k < chain.size(); ++k) {
            auto parent = category_at.find(categories_[chain[k]].parent_id);
            if (parent != category_at.end() && seen.insert(parent->second).second) chain.push_back(parent->second);
        }
        doc_deepest_[d] = chain;
        std::sort(chain.begin(), chain.end());
        for (int c : chain) category_docs_[c].push_back(d);
        doc_categories_[d] = std::move(chain);

        for (auto& p : doc.prices)
            if (std::find(currencies_.begin(), currencies_.end(), p.currency) == currencies_.end()) currencies_.push_back(p.currency);
    }
    avg_len_ = n ? std::max(1.0, static_cast<double>(total_len) / n) : 1;
    terms_.reserve(words.size());
    postings_.reserve(words.size());
    for (auto& [w, p] : words) {
        terms_.push_back(w);
        postings_.push_back(std::move(p));
    }

    doc_prices_.assign(currencies_.size(), std::vector<std::int64_t>(n, -1));
    for (std::uint32_t d = 0; d < n; ++d)
        for (auto& p : docs_[d].prices) {
            auto slot = std::find(currencies_.begin(), currencies_.end(), p.currency) - currencies_.begin();
            doc_prices_[slot][d] = p.amount;
        }

    for (auto& c : collections_) {
        std::vector<std::uint32_t> ids;
        for (auto& p : c.product_ids)
            if (auto it = by_product_.find(p); it != by_product_.end()) ids.push_back(it->second);
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        collection_docs_.push_back(std::move(ids));
    }

    // Autocomplete names: categories and brands that have published products, and every title.
    for (std::size_t c = 0; c < categories_.size(); ++c)
        if (!category_docs_[c].empty()) names_.push_back({"category", categories_[c].name, categories_[c].id, categories_[c].slug});
    std::vector<bool> brand_used(brands_.size());
    for (int b : doc_brand_)
        if (b >= 0) brand_used[b] = true;
    for (std::size_t b = 0; b < brands_.size(); ++b)
        if (brand_used[b]) names_.push_back({"brand", brands_[b].name, brands_[b].id, brands_[b].slug});
    for (auto& doc : docs_) names_.push_back({"product", doc.title, doc.product_id, doc.slug});
    std::sort(names_.begin(), names_.end(), [](const Name& a, const Name& b) {
        if (kind_rank(a.kind) != kind_rank(b.kind)) return kind_rank(a.kind) < kind_rank(b.kind);
        if (a.text.size() != b.text.size()) return a.text.size() < b.text.size();
        return a.text < b.text;
    });
    for (auto& name : names_) name.lower = lower(name.text);
    std::map<std::string, std::vector<std::uint32_t>> name_words;
    for (std::uint32_t i = 0; i < names_.size(); ++i)
        for (auto& w : words_of(names_[i].text)) add_term(name_words, w, i);
    for (auto& [w, ids] : name_words) {
        name_terms_.push_back(w);
        name_posts_.push_back(std::move(ids));
    }
}

Index::TermRange Index::prefixed(const std::vector<std::string>& dict, std::string_view prefix) const {
    auto first = std::lower_bound(dict.begin(), dict.end(), prefix, [](const std::string& t, std::string_view p) { return t < p; });
    auto last = first;
    while (last != dict.end() && std::string_view(*last).starts_with(prefix)) ++last;
    return {static_cast<std::size_t>(first - dict.begin()), static_cast<std::size_t>(last - dict.begin())};
}

void Index::match(const std::vector<std::string>& words, std::vector<std::uint32_t>& matched, std::vector<double>& scores) const {
    const std::size_t n = docs_.size();
    matched.clear();
    scores.assign(n, 0.0);
    if (words.empty()) {
        for (std::uint32_t d = 0; d < n; ++d) matched.push_back(d);
        return;
    }
    thread_local std::vector<std::uint8_t> words_matched;
    words_matched.assign(n, 0);
    for (std::size_t i = 0; i < words.size(); ++i) {
        TermRange range{0, 0};
        if (i + 1 == words.size()) {
            range = prefixed(terms_, words[i]);
        } else {
            auto it = std::lower_bound(terms_.begin(), terms_.end(), words[i]);
            if (it != terms_.end() && *it == words[i]) range = {static_cast<std::size_t>(it - terms_.begin()), static_cast<std::size_t>(it - terms_.begin()) + 1};
        }
        if (range.first == range.last) return;  // a word nothing has: no match
        for (std::size_t t = range.first; t < range.last; ++t) {
            const auto& posts = postings_[t];
            double df = static_cast<double>(posts.size());
            double idf = std::max(1e-6, std::log((static_cast<double>(n) - df + 0.5) / (df + 0.5)));
            for (auto& p : posts) {
                auto& seen = words_matched[p.doc];
                if (seen < i) continue;  // missed an earlier word
                seen = static_cast<std::uint8_t>(i + 1);
                double f = kTitleWeight * p.title_tf + p.body_tf;
                double len = kTitleWeight * title_len_[p.doc] + body_len_[p.doc];
                scores[p.doc] += idf * f * (kK1 + 1) / (f + kK1 * (1 - kB + kB * len / avg_len_));
            }
        }
    }
    for (std::uint32_t d = 0; d < n; ++d)
        if (words_matched[d] == words.size()) matched.push_back(d);
}

std::vector<std::string> Index::corrected(const std::vector<std::string>& words, const std::vector<std::string>& dict, bool all_prefixes,
                                          bool& changed) const {
    auto out = words;
    changed = false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        bool prefix = all_prefixes || i + 1 == out.size();
        auto range = prefixed(dict, out[i]);
        bool known = prefix ? range.first != range.last : range.first != range.last && dict[range.first] == out[i];
        if (known) continue;
        auto near = prefixed(dict, first_char(out[i]));
        std::vector<std::string> candidates(dict.begin() + static_cast<std::ptrdiff_t>(near.first),
                                            dict.begin() + static_cast<std::ptrdiff_t>(near.last));
        if (auto c = correction(out[i], candidates, prefix)) {
            out[i] = *c;
            changed = true;
        }
    }
    return out;
}

Results Index::search(const Query& q) const {
    thread_local std::vector<std::uint32_t> matched;
    thread_local std::vector<double> scores;
    match(q.words, matched, scores);
    if (matched.empty() && !q.words.empty()) {
        bool changed = false;
        auto fixed = corrected(q.words, terms_, false, changed);
        if (changed) {
            match(fixed, matched, scores);
            if (!matched.empty()) {
                auto out = run(q, matched, scores);
                out.suggestion = joined(fixed);
                return out;
            }
        }
    }
    return run(q, matched, scores);
}

Results Index::run(const Query& q, const std::vector<std::uint32_t>& matched, const std::vector<double>& scores) const {
    Results out;
    const auto& f = q.filters;
    int slot = -1;
    if (auto it = std::find(currencies_.begin(), currencies_.end(), q.currency); it != currencies_.end())
        slot = static_cast<int>(it - currencies_.begin());
    auto price_of = [&](std::uint32_t d) -> std::int64_t { return slot < 0 ? -1 : doc_prices_[slot][d]; };

    std::vector<char> brand_on(brands_.size()), category_on(categories_.size());
    for (auto& id : f.brand_ids)
        for (std::size_t b = 0; b < brands_.size(); ++b)
            if (brands_[b].id == id) brand_on[b] = 1;
    for (auto& id : f.category_ids)
        for (std::size_t c = 0; c < categories_.size(); ++c)
            if (categories_[c].id == id) category_on[c] = 1;
    const std::vector<std::uint32_t>* in_collection = nullptr;
    static const std::vector<std::uint32_t> kNone;
    if (!f.collection_id.empty()) {
        in_collection = &kNone;
        for (std::size_t c = 0; c < collections_.size(); ++c)
            if (collections_[c].id == f.collection_id) in_collection = &collection_docs_[c];
    }
    bool price_filter = f.min_price || f.max_price;

    std::vector<std::int64_t> brand_count(brands_.size()), category_count(categories_.size());
    std::vector<std::uint32_t> passing;
    for (auto d : matched) {
        const auto& doc = docs_[d];
        if (f.in_stock_only && !doc.in_stock) continue;
        if (in_collection && !std::binary_search(in_collection->begin(), in_collection->end(), d)) continue;
        bool b = f.brand_ids.empty() || (doc_brand_[d] >= 0 && brand_on[doc_brand_[d]]);
        bool c = f.category_ids.empty();
        for (std::size_t k = 0; !c && k < doc_categories_[d].size(); ++k) c = category_on[doc_categories_[d][k]] != 0;
        std::int64_t price = price_of(d);
        bool p = !price_filter || (price >= 0 && (!f.min_price || price >= *f.min_price) && (!f.max_price || price <= *f.max_price));
        bool r = !f.min_rating || doc.rating_average >= *f.min_rating;
        if (b && c && p && r) passing.push_back(d);
        if (c && p && r && doc_brand_[d] >= 0) ++brand_count[doc_brand_[d]];
        if (b && p && r)
            for (int k : doc_categories_[d]) ++category_count[k];
        if (b && c && r && price >= 0) {
            std::size_t bucket = 0;
            while (bucket < kPriceEdges.size() && price >= kPriceEdges[bucket]) ++bucket;
            ++out.price_buckets[bucket];
        }
        if (b && c && p)
            for (std::size_t t = 0; t < out.rating_at_least.size(); ++t)
                if (doc.rating_average >= static_cast<double>(t + 1)) ++out.rating_at_least[t];
    }
    out.total = static_cast<std::int64_t>(passing.size());

    auto by_score = [&](std::uint32_t a, std::uint32_t b) { return scores[a] != scores[b] ? scores[a] > scores[b] : a < b; };
    auto before = [&](std::uint32_t a, std::uint32_t b) -> bool {
        switch (q.sort) {
            case Sort::relevance: return by_score(a, b);
            case Sort::newest: return docs_[a].product_id > docs_[b].product_id;
            case Sort::price_asc:
            case Sort::price_desc: {
                std::int64_t pa = price_of(a), pb = price_of(b);
                if ((pa < 0) != (pb < 0)) return pb < 0;  // unpriced last either way
                if (pa != pb) return q.sort == Sort::price_asc ? pa < pb : pa > pb;
                return by_score(a, b);
            }
            case Sort::rating: {
                const auto &da = docs_[a], &db = docs_[b];
                if (da.rating_average != db.rating_average) return da.rating_average > db.rating_average;
                if (da.rating_count != db.rating_count) return da.rating_count > db.rating_count;
                return by_score(a, b);
            }
        }
        return a < b;
    };
    std::size_t end = std::min(passing.size(), static_cast<std::size_t>(std::max(0, q.offset)) + static_cast<std::size_t>(std::max(0, q.limit)));
    std::partial_sort(passing.begin(), passing.begin() + static_cast<std::ptrdiff_t>(end), passing.end(), before);
    for (std::size_t i = static_cast<std::size_t>(std::max(0, q.offset)); i < end; ++i) out.hits.push_back({&docs_[passing[i]], scores[passing[i]]});

    for (std::size_t b = 0; b < brands_.size(); ++b)
        if (brand_count[b]) out.brands.push_back({brands_[b].id, brands_[b].name, brands_[b].slug, brand_count[b]});
    for (std::size_t c = 0; c < categories_.size(); ++c)
        if (category_count[c]) out.categories.push_back({categories_[c].id, categories_[c].name, categories_[c].slug, category_count[c]});
    auto most = [](const FacetCount& a, const FacetCount& b) { return a.count != b.count ? a.count > b.count : a.name < b.name; };
    std::sort(out.brands.begin(), out.brands.end(), most);
    std::sort(out.categories.begin(), out.categories.end(), most);
    return out;
}

std::vector<std::uint32_t> Index::name_matches(const std::vector<std::string>& words) const {
    thread_local std::vector<std::uint8_t> words_matched;
    words_matched.assign(names_.size(), 0);
    for (std::size_t i = 0; i < words.size(); ++i) {
        auto range = prefixed(name_terms_, words[i]);
        for (std::size_t t = range.first; t < range.last; ++t)
            for (auto id : name_posts_[t])
                if (words_matched[id] >= i) words_matched[id] = static_cast<std::uint8_t>(i + 1);
    }
    std::vector<std::uint32_t> out;
    for (std::uint32_t id = 0; id < names_.size(); ++id)
        if (words_matched[id] == words.size()) out.push_back(id);
    return out;
}

Suggestions Index::suggest(std::string_view q, std::size_t limit) const {
    Suggestions out;
    auto words = tokenize(q);
    if (words.empty()) return out;
    auto ids = name_matches(words);
    if (ids.empty()) {
        bool changed = false;
        auto fixed = corrected(words, name_terms_, true, changed);
        if (changed) {
            ids = name_matches(fixed);
            if (!ids.empty()) out.corrected = joined(fixed);
            words = std::move(fixed);
        }
    }
    // Names that begin with the words as typed come first; ids are already by kind, length, text.
    std::string typed = joined(words);
    std::vector<std::uint32_t> rest;
    for (auto id : ids) {
        if (out.items.size() >= limit) break;
        const auto& n = names_[id];
        if (n.lower.starts_with(typed)) out.items.push_back({n.kind, n.text, n.id, n.slug});
        else if (rest.size() < limit) rest.push_back(id);
    }
    for (std::size_t i = 0; i < rest.size() && out.items.size() < limit; ++i) {
        const auto& n = names_[rest[i]];
        out.items.push_back({n.kind, n.text, n.id, n.slug});
    }
    return out;
}

const Document* Index::find(std::string_view key) const {
    if (auto it = by_product_.find(key); it != by_product_.end()) return &docs_[it->second];
    if (auto it = by_slug_.find(key); it != by_slug_.end()) return &docs_[it->second];
    return nullptr;
}

std::vector<const Document*> Index::same_category(const Document& doc, std::size_t limit, const std::vector<std::string>& exclude) const {
    std::vector<const Document*> out;
    auto it = by_product_.find(doc.product_id);
    if (it == by_product_.end()) return out;
    std::set<std::uint32_t> taken{it->second};
    for (auto& e : exclude)
        if (auto x = by_product_.find(e); x != by_product_.end()) taken.insert(x->second);
    for (int c : doc_deepest_[it->second]) {
        std::vector<std::uint32_t> peers;
        for (auto d : category_docs_[c])
            if (!taken.count(d)) peers.push_back(d);
        std::sort(peers.begin(), peers.end(), [&](std::uint32_t a, std::uint32_t b) {
            const auto &da = docs_[a], &db = docs_[b];
            if (da.rating_average != db.rating_average) return da.rating_average > db.rating_average;
            if (da.rating_count != db.rating_count) return da.rating_count > db.rating_count;
            return da.product_id > db.product_id;
        });
        for (auto d : peers) {
            if (out.size() >= limit) return out;
            taken.insert(d);
            out.push_back(&docs_[d]);
        }
    }
    return out;
}

const Category* Index::category(std::string_view key) const {
    for (auto& c : categories_)
        if (c.id == key || c.slug == key) return &c;
    return nullptr;
}

const Brand* Index::brand(std::string_view key) const {
    for (auto& b : brands_)
        if (b.id == key || b.slug == key) return &b;
    return nullptr;
}

const Collection* Index::collection(std::string_view key) const {
    for (auto& c : collections_)
        if (c.id == key || c.slug == key) return &c;
    return nullptr;
}

std::optional<std::int64_t> Index::price(const Document& doc, std::string_view currency) const {
    for (auto& p : doc.prices)
        if (p.currency == currency) return p.amount;
    return std::nullopt;
}

}  // namespace shop::search::domain
