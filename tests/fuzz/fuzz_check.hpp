#pragma once
// What the fuzzers share: a failed invariant aborts, so libFuzzer counts it as a crash and keeps
// the input.
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace shop::fuzz {

/// Aborts naming the broken invariant (and a short context) when `ok` is false.
inline void check(bool ok, std::string_view what, std::string_view context = {}) {
    if (ok) return;
    std::fprintf(stderr, "fuzz invariant broken: %.*s [%.*s]\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(context.size() > 400 ? 400 : context.size()), context.data());
    std::abort();
}

}  // namespace shop::fuzz
