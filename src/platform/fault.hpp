#pragma once
// Fault injection for crash tests. `fault::point("payment.capture.after_provider")` kills this
// process with SIGKILL (as `kill -9` would) when the environment variable SHOPTEST_KILL_AT holds
// that name. Only builds with tests (SHOP_BUILD_TESTS, which defines SHOP_FAULT_INJECTION) read
// the variable (not SHOP_*: those are configuration keys); elsewhere a point does nothing.
#include <string_view>

namespace shop::fault {

/// A named place where a crash test may kill the process.
void point(std::string_view name);

}  // namespace shop::fault
