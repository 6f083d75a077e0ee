#include "platform/fault.hpp"

#include <csignal>
#include <cstdlib>

namespace shop::fault {

void point([[maybe_unused]] std::string_view name) {
#ifdef SHOP_FAULT_INJECTION
    static const char* kill_at = std::getenv("SHOPTEST_KILL_AT");
    if (kill_at && name == kill_at) std::raise(SIGKILL);
#endif
}

}  // namespace shop::fault
