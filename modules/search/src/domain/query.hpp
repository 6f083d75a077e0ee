#pragma once
// Turning what a shopper typed into a safe full-text query (SQLite FTS5 or PostgreSQL tsquery). Pure.
#include <optional>
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

/// How many typos a word may carry and still be corrected: none below 4 letters, one up to 7,
/// two from 8 (short words have too many neighbours to guess from).
int typo_budget(std::string_view word);

/// Edit distance counting insertions, deletions, substitutions and swaps of two adjacent letters
/// (optimal string alignment), or max + 1 as soon as it is known to exceed `max`. Bytes, not
/// characters: a non-ASCII letter counts as its UTF-8 length.
int edit_distance(std::string_view a, std::string_view b, int max);

/// The indexed term `word` most probably meant: the nearest candidate within the word's typo
/// budget (ties: the alphabetically first), or nothing. With `prefix`, a candidate also matches
/// when one of its prefixes is near enough (the word being typed is a beginning).
std::optional<std::string> correction(std::string_view word, const std::vector<std::string>& candidates, bool prefix);

}  // namespace shop::search::domain
