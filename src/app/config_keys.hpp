#pragma once
// Every configuration key of shop, declared once: its type, range or choices, whether it is a
// secret, and a line saying what it does. config/shop.json gives each its default; the two must
// list the same keys (checked when the configuration is built).
#include <span>
#include <string>
#include <vector>

#include "platform/config.hpp"

namespace shop::app {

/// The table of every key, in the order `shop config` prints them.
std::span<const ConfigKey> config_keys();

/// The built-in defaults (config/shop.json embedded at build time), checked against config_keys().
Config default_config();

/// Loads the layered configuration: defaults < config_file < SHOP_* environment.
Config load_config(const std::string& config_file, const std::vector<std::string>& env);

}  // namespace shop::app
