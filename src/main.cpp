// shop: serve | migrate | seed | backup | restore | keygen | migrate-data | config | health | openapi (Boost.Program_options)
#include <csignal>
#include <filesystem>
#include <unistd.h>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "app/backup.hpp"
#include "app/migrate_data.hpp"
#include "platform/db.hpp"
#include "platform/log.hpp"
#include "platform/server.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <curl/curl.h>
#include <fmt/format.h>
#include <systemd/sd-daemon.h>

#ifndef SHOP_VERSION
#define SHOP_VERSION "0.1.0"
#endif

namespace po = boost::program_options;

namespace {

constexpr int kUsageError = 2;

/// A mistake on the command line: printed with a pointer to -h, exit status 2.
struct UsageError : std::runtime_error {
    std::string command;
    UsageError(std::string cmd, const std::string& what) : std::runtime_error(what), command(std::move(cmd)) {}
};

struct Command {
    const char* name;
    const char* synopsis;  // after "shop <name>"
    const char* summary;   // what it does, for `shop --help` and `shop <name> --help`
    int (*run)(const po::variables_map&);
    void (*options)(po::options_description&);
    const char* positional = nullptr;  // the name of a positional argument, if any
};

// ---- options shared by several commands ----

void config_option(po::options_description& d) {
    d.add_options()("config", po::value<std::string>()->value_name("FILE"), "configuration file (JSON with comments) over the built-in defaults");
}
void data_dir_option(po::options_description& d) {
    d.add_options()("data-dir", po::value<std::string>()->value_name("DIR"), "data directory (data_dir)");
}
void listen_options(po::options_description& d) {
    d.add_options()("port", po::value<std::string>()->value_name("N"), "listen port, 0 picks a free one (port)")(
        "host", po::value<std::string>()->value_name("ADDR"), "listen address (host)");
}
void serve_options(po::options_description& d) {
    listen_options(d);
    data_dir_option(d);
    config_option(d);
    d.add_options()("no-seed", "do not seed the demo catalog on first start (seed.demo=false)");
}

/// The configuration every command runs with: defaults < --config FILE < SHOP_* < flags, each
/// value checked as it is set (a bad one stops here, before anything is opened).
shop::Config build_config(const po::variables_map& vm) {
    shop::Config c = shop::app::load_config(vm.count("config") ? vm["config"].as<std::string>() : "", shop::process_environment());
    auto flag = [&](const char* name, const char* key) {
        if (vm.count(name)) c.set(key, vm[name].as<std::string>(), shop::ConfigSource{"flag", std::string("--") + name});
    };
    flag("port", "port");
    flag("host", "host");
    flag("data-dir", "data_dir");
    if (vm.count("no-seed")) c.set("seed.demo", "false", shop::ConfigSource{"flag", "--no-seed"});
    return c;
}

// ---- commands ----

int serve(const po::variables_map& vm) {
    shop::Config config = build_config(vm);
    // Block the stop signals in every thread (threads inherit the mask); this one waits for them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    // The port first: a taken address fails before the data directory is opened or migrated.
    auto listener = shop::http::ListeningSocket::open(config.get_string("host"), static_cast<std::uint16_t>(config.get_int("port")));
    shop::app::App app(std::move(config));
    app.listen(listener.release());
    app.migrate();
    if (app.config().get_bool("seed.demo")) app.seed_demo();
    app.start();
    // Under systemd (Type=notify) the unit becomes active now: migrated, listening, bus running.
    // Without NOTIFY_SOCKET this does nothing.
    sd_notifyf(0, "READY=1\nSTATUS=serving on port %u\nMAINPID=%lu", static_cast<unsigned>(app.port()),
               static_cast<unsigned long>(getpid()));
    int sig = 0;
    sigwait(&set, &sig);
    sd_notify(0, "STOPPING=1\nSTATUS=draining in-flight requests");
    app.log().info("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    app.stop();
    return 0;
}

int migrate(const po::variables_map& vm) {
    shop::Config config = build_config(vm);
    if (vm.count("dry-run")) {
        // Read only: no App (which would create the data directory and the database files).
        auto pending = shop::app::pending_migrations(config);
        std::cout << "pending migrations: " << pending.size() << "\n";
        std::string schema;
        for (auto& m : pending) {
            if (m.schema != schema) std::cout << (schema = m.schema) << ":\n";
            std::cout << "  " << (m.track == "kernel" ? "kernel/" : "") << fmt::format("{:04}_{}", m.version, m.name) << "\n";
        }
        return 0;
    }
    shop::app::App app(std::move(config), shop::LogFormat::text);
    auto r = app.migrate();
    std::cout << "applied migrations: " << r.applied << "\n";
    for (auto& m : r.applied_names) std::cout << "  " << m.text() << "\n";
    return 0;
}

int seed(const po::variables_map& vm) {
    std::optional<int> products;
    if (vm.count("products")) {
        const auto& text = vm["products"].as<std::string>();
        std::size_t used = 0;
        long n = -1;
        try {
            n = std::stol(text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != text.size() || n < 1 || n > 1'000'000)
            throw UsageError("seed", fmt::format("--products {}: expected a whole number of products from 1 to 1000000", text));
        products = static_cast<int>(n);
    }
    if (vm.count("dataset")) {
        if (products) throw UsageError("seed", "--dataset and --products exclude each other");
        if (vm["dataset"].as<std::string>() != "demo")
            throw UsageError("seed", fmt::format("--dataset {}: expected demo (the only data set)", vm["dataset"].as<std::string>()));
    }
    shop::app::App app(build_config(vm), shop::LogFormat::text);
    app.migrate();
    if (vm.count("dataset")) {
        app.start(false);  // paid orders are confirmed through events
        auto started = std::chrono::steady_clock::now();
        int n = app.seed_demo_dataset();
        app.drain_bus(std::chrono::minutes(10));
        app.stop();
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
        if (n == 0) std::cout << "the catalog has products already: nothing seeded\n";
        else std::cout << "seeded the demo data set: " << n << " products in " << ms << " ms\n";
        return 0;
    }
    int n = products ? app.seed_generated(*products) : app.seed_demo();
    app.start(false);  // deliver the seeding events (search index) before exiting
    app.drain_bus(std::chrono::minutes(10));
    app.stop();
    std::cout << "seeded products: " << n << "\n";
    return 0;
}

int backup(const po::variables_map& vm) {
    if (!vm.count("target")) throw UsageError("backup", "backup needs a target directory");
    return shop::app::backup_command(build_config(vm), vm["target"].as<std::string>(), {.with_keys = !vm.count("without-keys")});
}

int restore(const po::variables_map& vm) {
    if (!vm.count("source")) throw UsageError("restore", "restore needs the backup directory");
    return shop::app::restore_command(build_config(vm), vm["source"].as<std::string>());
}

int keygen(const po::variables_map&) {
    std::cout << shop::app::new_signing_key_set();
    return 0;
}

int migrate_data(const po::variables_map& vm) {
    std::string from = vm.count("from") ? vm["from"].as<std::string>() : "";
    std::string to = vm.count("to") ? vm["to"].as<std::string>() : "";
    if (from.rfind("sqlite:", 0) != 0)
        throw UsageError("migrate-data", "migrate-data needs --from sqlite:DIR (the data directory of the SQLite install)");
    if (to.rfind("postgresql://", 0) != 0 && to.rfind("postgres://", 0) != 0)
        throw UsageError("migrate-data", "migrate-data needs --to postgresql://USER:PASS@HOST:PORT/DB");
    shop::Config c = build_config(vm);
    shop::LogLevel level = shop::parse_log_level(c.get_string("log.level"));
    shop::Logger log(level == shop::LogLevel::info ? shop::LogLevel::warn : level, stderr, shop::LogFormat::text);
    auto report = shop::app::migrate_data(from.substr(7), to, c, log);
    std::cout << "copied " << report.rows << " rows in " << report.tables << " tables to " << shop::redact_url_password(to) << "\n";
    return 0;
}

/// `shop config`: every key, its effective value (secrets masked) and the layer it came from.
int config(const po::variables_map& vm) {
    if (vm.count("keys")) {
        for (auto& k : shop::app::config_keys())
            std::cout << k.key << "  (" << shop::Config::env_name(k.key) << (k.env_only ? ", environment only" : "")
                      << (k.secret ? ", secret" : "") << ")\n    " << k.description << "\n    expected: " << shop::Config::expected_form(k)
                      << "\n";
        return 0;
    }
    shop::Config c = build_config(vm);
    if (vm.count("json")) {
        std::cout << boost::json::serialize(c.redacted()) << "\n";
        return 0;
    }
    auto entries = c.entries();
    std::size_t key_w = 3, value_w = 5;
    for (auto& e : entries) {
        key_w = std::max(key_w, e.key.size());
        value_w = std::max(value_w, std::min<std::size_t>(e.value.size(), 40));
    }
    std::cout << fmt::format("{:<{}}  {:<{}}  {}\n", "KEY", key_w, "VALUE", value_w, "SOURCE");
    for (auto& e : entries)
        std::cout << fmt::format("{:<{}}  {:<{}}  {}\n", e.key, key_w, e.value.empty() ? "\"\"" : e.value, value_w, e.source.text());
    return 0;
}

size_t discard_body(char*, size_t size, size_t n, void*) { return size * n; }

/// GET /readyz of the running server: 0 when it answers 200, 1 otherwise (with the reason).
int health(const po::variables_map& vm) {
    std::string url;
    if (vm.count("url")) {
        url = vm["url"].as<std::string>();
    } else {
        shop::Config c = build_config(vm);
        std::string host = c.get_string("host");
        if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
        if (host == "::") host = "::1";
        if (host.find(':') != std::string::npos) host = "[" + host + "]";
        url = "http://" + host + ":" + std::to_string(c.get_int("port")) + "/readyz";
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL* h = curl_easy_init();
    if (!h) throw std::runtime_error("curl_easy_init failed");
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_body);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK) {
        std::cerr << "shop health: " << url << ": " << curl_easy_strerror(rc) << "\n";
        return 1;
    }
    if (status != 200) {
        std::cerr << "shop health: " << url << " answered " << status << " (not ready)\n";
        return 1;
    }
    std::cout << "ready: " << url << "\n";
    return 0;
}

int openapi(const po::variables_map& vm) {
    // The app is built (never started) on a throwaway data directory, only to list its routes.
    auto dir = std::filesystem::temp_directory_path() / ("shop-openapi-" + std::to_string(::getpid()));
    shop::Config c = build_config(vm);
    c.set("data_dir", dir.string(), "openapi");
    c.set("db.url", "", "openapi");
    c.set("log.level", "off", "openapi");
    std::string doc;
    {
        shop::app::App app(c);
        doc = app.openapi_json();
    }
    std::filesystem::remove_all(dir);
    std::cout << doc << "\n";
    return 0;
}

const Command kCommands[] = {
    {"serve", "[options]", "migrate, seed the demo catalog on first start, serve HTTP until SIGTERM/SIGINT", serve, serve_options},
    {"migrate", "[options]", "apply pending migrations, naming each; --dry-run lists them and changes nothing", migrate,
     [](po::options_description& d) {
         d.add_options()("dry-run", "list the pending migrations per module; create and change nothing");
         data_dir_option(d);
         config_option(d);
     }},
    {"seed", "[--dataset demo | --products N] [options]",
     "seed the demo catalog, the demo data set (accounts, 600 products, stock, orders; nothing when products exist), "
     "or N generated products with stock",
     seed,
     [](po::options_description& d) {
         d.add_options()("dataset", po::value<std::string>()->value_name("NAME"), "the data set to load: demo")(
             "products", po::value<std::string>()->value_name("N"), "generate N products (1 to 1000000) with stock");
         data_dir_option(d);
         config_option(d);
     }},
    {"backup", "DIR [--without-keys] [options]",
     "consistent online copy of the data directory (databases, mail, media, signing keys) into an empty DIR, "
     "files 0600, with a checksummed manifest",
     backup,
     [](po::options_description& d) {
         d.add_options()("target", po::value<std::string>()->value_name("DIR"), "the directory to write the backup to")(
             "without-keys", "leave the token signing key file out of the backup");
         data_dir_option(d);
         config_option(d);
     },
     "target"},
    {"restore", "DIR [options]", "verify the backup in DIR against its manifest and copy it into an empty data directory", restore,
     [](po::options_description& d) {
         d.add_options()("source", po::value<std::string>()->value_name("DIR"), "the backup directory");
         data_dir_option(d);
         config_option(d);
     },
     "source"},
    {"keygen", "", "print a new token signing key (a JWK Set for auth.signing_keys_file or SHOP_AUTH_SIGNING_KEY)", keygen,
     [](po::options_description&) {}},
    {"migrate-data", "--from sqlite:DIR --to postgresql://USER:PASS@HOST:PORT/DB [options]",
     "copy a stopped SQLite install into an empty PostgreSQL database", migrate_data,
     [](po::options_description& d) {
         d.add_options()("from", po::value<std::string>()->value_name("sqlite:DIR"), "the data directory of the SQLite install")(
             "to", po::value<std::string>()->value_name("URL"), "the empty PostgreSQL database");
         config_option(d);
     }},
    {"config", "[options]",
     "print every configuration key with its effective value and where it came from (default, file:line:column, env VAR, "
     "flag); secrets are shown as ***. Accepts the options of serve, and refuses exactly what serve refuses",
     config,
     [](po::options_description& d) {
         serve_options(d);
         d.add_options()("json", "print the effective configuration as one JSON document")(
             "keys", "list every key: its environment variable, expected form and meaning");
     }},
    {"health", "[--url URL] [options]",
     "exit 0 when the server answers /readyz with 200 (a container HEALTHCHECK); URL defaults to "
     "http://127.0.0.1:<port>/readyz from the configuration",
     health,
     [](po::options_description& d) {
         d.add_options()("url", po::value<std::string>()->value_name("URL"), "the readiness URL to ask");
         listen_options(d);
         config_option(d);
     }},
    {"openapi", "", "print the OpenAPI 3.1 document of the API (what GET /openapi.json serves)", openapi, [](po::options_description&) {}},
};

const Command* find_command(std::string_view name) {
    for (auto& c : kCommands)
        if (name == c.name) return &c;
    return nullptr;
}

po::options_description options_of(const Command& c) {
    po::options_description d("Options");
    d.add_options()("help,h", "show this help");
    c.options(d);
    return d;
}

void print_usage(std::ostream& out) {
    out << "shop " SHOP_VERSION " — an e-commerce backend in one binary\n\nUsage:\n  shop <command> [options]\n  shop <command> -h | --help\n"
           "  shop -h | --help | --version\n\nCommands:\n";
    for (auto& c : kCommands) out << fmt::format("  {:<13} {}\n", c.name, c.summary);
    out << "\nConfiguration: config/shop.json defaults < --config FILE < SHOP_* environment < flags.\n"
           "`shop config` shows the effective values and their sources; `shop config --keys` lists every key.\n"
           "Exit status: 0 done, 1 failed (the reason on stderr), 2 a mistake on the command line.\n";
}

void print_command_usage(const Command& c, std::ostream& out) {
    out << "Usage: shop " << c.name << (*c.synopsis ? " " : "") << c.synopsis << "\n\n" << c.summary << ".\n\n";
    // The positional argument is an option internally; it is shown in the synopsis only.
    po::options_description shown("Options");
    shown.add_options()("help,h", "show this help");
    po::options_description all;
    c.options(all);
    for (auto& o : all.options())
        if (!c.positional || o->long_name() != c.positional) shown.add(o);
    out << shown;
}

/// "--products -5": a value that looks like an option would be taken for one; joined into
/// "--products=-5" so that it is read as the value it is (and refused for what it is).
std::vector<std::string> join_negative_values(const std::vector<std::string>& args, const po::options_description& d) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        if (a.starts_with("--") && a.find('=') == std::string::npos && i + 1 < args.size() && args[i + 1].size() > 1 &&
            args[i + 1][0] == '-' && std::isdigit(static_cast<unsigned char>(args[i + 1][1]))) {
            if (auto* o = d.find_nothrow(a.substr(2), false); o && o->semantic()->max_tokens() > 0) {
                out.push_back(a + "=" + args[++i]);
                continue;
            }
        }
        out.push_back(a);
    }
    return out;
}

int run(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        print_usage(std::cerr);
        return kUsageError;
    }
    const std::string& first = args[0];
    if (first == "-h" || first == "--help" || first == "help") {
        if (args.size() > 1) {
            if (auto* c = find_command(args[1])) {
                print_command_usage(*c, std::cout);
                return 0;
            }
        }
        print_usage(std::cout);
        return 0;
    }
    if (first == "--version" || first == "version") {
        std::cout << "shop " << SHOP_VERSION << "\n";
        return 0;
    }
    if (first.starts_with("-")) throw UsageError("", fmt::format("unknown option '{}' (options come after the command)", first));
    const Command* cmd = find_command(first);
    if (!cmd) {
        std::string best;
        std::size_t best_d = 3;
        for (auto& c : kCommands)
            if (auto d = shop::edit_distance(first, c.name); d < best_d) best_d = d, best = c.name;
        throw UsageError("", fmt::format("unknown command '{}'{}", first, best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best)));
    }
    po::options_description desc = options_of(*cmd);
    po::positional_options_description pos;
    if (cmd->positional) pos.add(cmd->positional, 1);
    po::variables_map vm;
    try {
        std::vector<std::string> rest(args.begin() + 1, args.end());
        po::store(po::command_line_parser(join_negative_values(rest, desc)).options(desc).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::too_many_positional_options_error&) {
        throw UsageError(cmd->name, cmd->positional ? "too many arguments: one DIR only" : "this command takes no arguments, only options");
    } catch (const po::error& e) {
        throw UsageError(cmd->name, e.what());
    }
    if (vm.count("help")) {
        print_command_usage(*cmd, std::cout);
        return 0;
    }
    return cmd->run(vm);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << "shop" << (e.command.empty() ? "" : " " + e.command) << ": " << e.what() << "\n"
                  << "Run 'shop " << (e.command.empty() ? "" : e.command + " ") << "--help' for usage.\n";
        return kUsageError;
    } catch (const std::exception& e) {
        std::cerr << "shop: " << e.what() << "\n";
        return 1;
    }
}
