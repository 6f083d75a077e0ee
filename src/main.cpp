// shop: serve | migrate | seed | backup | restore | keygen | migrate-data | config | health | openapi | --help | --version
#include <csignal>
#include <filesystem>
#include <unistd.h>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "app/backup.hpp"
#include "app/migrate_data.hpp"
#include "platform/db.hpp"
#include "platform/log.hpp"

#include <boost/json.hpp>
#include <curl/curl.h>
#include <systemd/sd-daemon.h>

#ifndef SHOP_VERSION
#define SHOP_VERSION "0.1.0"
#endif

namespace {

constexpr const char* kUsage = R"(shop — an e-commerce backend in one binary

Usage:
  shop serve   [--port N] [--host ADDR] [--data-dir DIR] [--config FILE] [--no-seed]
                 migrate, seed the demo catalog on first start, serve HTTP until SIGTERM/SIGINT
  shop migrate [--dry-run] [--data-dir DIR] [--config FILE]
                 apply pending migrations (or count them)
  shop seed    [--dataset demo | --products N] [--data-dir DIR] [--config FILE]
                 seed the demo catalog, the demo data set (accounts, 600 products, stock,
                 orders; nothing when products exist), or N generated products with stock
  shop backup  DIR [--without-keys] [--data-dir DIR] [--config FILE]
                 consistent online copy of the data directory (databases, mail, media, signing
                 key file) into a new or empty DIR, with a manifest of SHA-256 checksums
  shop restore DIR [--data-dir DIR] [--config FILE]
                 verify the backup in DIR and copy it into an empty data directory
  shop keygen    print a new token signing key (a JWK Set for auth.signing_keys_file)
  shop migrate-data --from sqlite:DIR --to postgresql://USER:PASS@HOST:PORT/DB [--config FILE]
                 copy a stopped SQLite install into an empty PostgreSQL database
  shop config  [--config FILE]
                 print the effective configuration (secrets redacted)
  shop health  [--url URL] [--config FILE]
                 exit 0 when the server answers /readyz with 200 (a container HEALTHCHECK);
                 URL defaults to http://127.0.0.1:<port>/readyz from the configuration
  shop openapi   print the OpenAPI 3.1 document of the API (what GET /openapi.json serves)
  shop --help | --version

Configuration: config/shop.json defaults < --config FILE < SHOP_* environment < flags.
)";

struct Args {
    std::string command;
    std::vector<std::string> positional;
    std::map<std::string, std::string> flags;
};

Args parse_args(int argc, char** argv) {
    Args a;
    static const std::vector<std::string> kWithValue = {"--port", "--host", "--data-dir", "--config", "--products", "--dataset", "--from", "--to", "--url"};
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        if (s.rfind("--", 0) == 0) {
            auto eq = s.find('=');
            if (eq != std::string::npos) {
                a.flags[s.substr(0, eq)] = s.substr(eq + 1);
            } else if (std::find(kWithValue.begin(), kWithValue.end(), s) != kWithValue.end()) {
                if (i + 1 >= argc) throw std::runtime_error(s + " needs a value");
                a.flags[s] = argv[++i];
            } else {
                a.flags[s] = "true";
            }
        } else if (a.command.empty()) {
            a.command = s;
        } else {
            a.positional.push_back(s);
        }
    }
    static const std::vector<std::string> kKnown = {"--port", "--host", "--data-dir", "--config", "--products", "--dataset", "--from", "--to",
                                                    "--url", "--dry-run", "--no-seed", "--help", "--version", "--without-keys"};
    for (auto& [k, v] : a.flags)
        if (std::find(kKnown.begin(), kKnown.end(), k) == kKnown.end()) throw std::runtime_error("unknown option " + k);
    return a;
}

shop::Config build_config(const Args& a) {
    auto it = a.flags.find("--config");
    shop::Config c = shop::app::load_config(it == a.flags.end() ? "" : it->second, shop::process_environment());
    if (auto p = a.flags.find("--port"); p != a.flags.end()) c.set("port", p->second, "--port");
    if (auto h = a.flags.find("--host"); h != a.flags.end()) c.set("host", h->second, "--host");
    if (auto d = a.flags.find("--data-dir"); d != a.flags.end()) c.set("data_dir", d->second, "--data-dir");
    if (a.flags.count("--no-seed")) c.set("seed.demo", "false", "--no-seed");
    return c;
}

int serve(const Args& a) {
    // Block the stop signals in every thread (threads inherit the mask); this one waits for them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    shop::app::App app(build_config(a));
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

size_t discard_body(char*, size_t size, size_t n, void*) { return size * n; }

/// GET /readyz of the running server: 0 when it answers 200, 1 otherwise (with the reason).
int health(const Args& a) {
    std::string url;
    if (auto u = a.flags.find("--url"); u != a.flags.end()) {
        url = u->second;
    } else {
        shop::Config c = build_config(a);
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

}  // namespace

int main(int argc, char** argv) {
    try {
        Args a = parse_args(argc, argv);
        if (a.flags.count("--version") || a.command == "version") {
            std::cout << "shop " << SHOP_VERSION << "\n";
            return 0;
        }
        if (a.flags.count("--help") || a.command.empty() || a.command == "help") {
            std::cout << kUsage;
            return a.command.empty() && !a.flags.count("--help") ? 2 : 0;
        }
        if (a.command == "serve") return serve(a);
        if (a.command == "migrate") {
            shop::app::App app(build_config(a));
            auto r = app.migrate(a.flags.count("--dry-run") > 0);
            std::cout << (a.flags.count("--dry-run") ? "pending migrations: " : "applied migrations: ")
                      << (a.flags.count("--dry-run") ? r.pending : r.applied) << "\n";
            return 0;
        }
        if (a.command == "seed") {
            shop::app::App app(build_config(a));
            app.migrate();
            int n = 0;
            if (auto d = a.flags.find("--dataset"); d != a.flags.end()) {
                if (d->second != "demo") throw std::runtime_error("unknown data set '" + d->second + "' (there is: demo)");
                app.start(false);  // paid orders are confirmed through events
                auto started = std::chrono::steady_clock::now();
                n = app.seed_demo_dataset();
                app.drain_bus(std::chrono::minutes(10));
                app.stop();
                auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
                if (n == 0) std::cout << "the catalog has products already: nothing seeded\n";
                else std::cout << "seeded the demo data set: " << n << " products in " << ms << " ms\n";
                return 0;
            }
            if (auto p = a.flags.find("--products"); p != a.flags.end()) n = app.seed_generated(std::stoi(p->second));
            else n = app.seed_demo();
            app.start(false);  // deliver the seeding events (search index) before exiting
            app.drain_bus(std::chrono::minutes(10));
            app.stop();
            std::cout << "seeded products: " << n << "\n";
            return 0;
        }
        if (a.command == "backup") {
            if (a.positional.empty()) throw std::runtime_error("backup needs a target directory");
            return shop::app::backup_command(build_config(a), a.positional[0], {.with_keys = !a.flags.count("--without-keys")});
        }
        if (a.command == "restore") {
            if (a.positional.empty()) throw std::runtime_error("restore needs the backup directory");
            return shop::app::restore_command(build_config(a), a.positional[0]);
        }
        if (a.command == "keygen") {
            std::cout << shop::app::new_signing_key_set();
            return 0;
        }
        if (a.command == "migrate-data") {
            auto from = a.flags.find("--from"), to = a.flags.find("--to");
            if (from == a.flags.end() || from->second.rfind("sqlite:", 0) != 0)
                throw std::runtime_error("migrate-data needs --from sqlite:DIR (the data directory of the SQLite install)");
            if (to == a.flags.end() || (to->second.rfind("postgresql://", 0) != 0 && to->second.rfind("postgres://", 0) != 0))
                throw std::runtime_error("migrate-data needs --to postgresql://USER:PASS@HOST:PORT/DB");
            shop::Config c = build_config(a);
            shop::Logger log(shop::parse_log_level(c.get_string("log.level")));
            auto report = shop::app::migrate_data(from->second.substr(7), to->second, c, log);
            std::cout << "copied " << report.rows << " rows in " << report.tables << " tables to "
                      << shop::redact_url_password(to->second) << "\n";
            return 0;
        }
        if (a.command == "health") return health(a);
        if (a.command == "openapi") {
            // The app is built (never started) on a throwaway data directory, only to list its routes.
            auto dir = std::filesystem::temp_directory_path() / ("shop-openapi-" + std::to_string(::getpid()));
            shop::Config c = build_config(a);
            c.set("data_dir", dir.string(), "openapi");
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
        if (a.command == "config") {
            std::cout << boost::json::serialize(build_config(a).redacted()) << "\n";
            return 0;
        }
        std::cerr << "shop: unknown command '" << a.command << "'\n\n" << kUsage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "shop: " << e.what() << "\n";
        return 1;
    }
}
