#pragma once
// Turning what a shopper typed into a safe full-text query (SQLite FTS5 or PostgreSQL tsquery). Pure.
#include <string>
#include <string_view>
#include <vector>

namespace shop::search::domain {

/// Words of the query: runs of letters/digits (any non-ASCII byte counts as a letter), lower-cased,
/// at most 10 words of at most 64 bytes.
std::vector<std::string> tokenize(std::string_view q);

/// An FTS5 MATCH expression where every word must match, the last one as a prefix
/// ("red" "sho"*). Quoting each word makes FTS5 syntax in the input inert.
std::string fts_query(const std::vector<std::string>& words);

/// The same for PostgreSQL's to_tsquery: 'red' & 'sho':* (each word quoted, so tsquery operators
/// in the input are inert).
std::string tsquery(const std::vector<std::string>& words);

}  // namespace shop::search::domain
