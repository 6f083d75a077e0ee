#pragma once
// search: a full-text index of published products, fed by catalog events.
#include <cstdint>

namespace shop::search {

/// The service face of search. Thread-safe.
class SearchApi {
public:
    virtual ~SearchApi() = default;
    /// Number of products currently searchable.
    virtual std::int64_t indexed_count() = 0;
};

}  // namespace shop::search
