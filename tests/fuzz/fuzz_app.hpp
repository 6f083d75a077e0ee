#pragma once
// The whole app for the fuzzers that need it (http, json): one App on a temporary SQLite data
// directory, migrated and started without a listener, made once per process and removed at exit.
#include "app/app.hpp"

namespace shop::fuzz {

/// The app, made on first use (call it from LLVMFuzzerInitialize so the cost is paid once).
app::App& fuzz_app();

}  // namespace shop::fuzz
