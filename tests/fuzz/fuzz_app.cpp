#include "fuzz_app.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "app/config_keys.hpp"

namespace shop::fuzz {

namespace {

struct FuzzApp {
    std::filesystem::path dir;
    std::unique_ptr<app::App> app;

    FuzzApp() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "shop-fuzz.XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        dir = tmpl;
        Config c = app::default_config();
        c.set("data_dir", dir.string(), "fuzz");
        c.set("port", "0", "fuzz");
        c.set("auth.password_cost", "minimum", "fuzz");
        c.set("log.level", "error", "fuzz");  // a 4xx is the expected answer to most inputs: no log line each
        c.set("http.access_log", "false", "fuzz");
        c.set("http.rate_limit.enabled", "false", "fuzz");
        c.set("seed.demo", "false", "fuzz");
        c.set("admin.email", "admin@fuzz.test", "fuzz");
        c.set("admin.password", "fuzz-admin-password", "fuzz");
        app = std::make_unique<app::App>(std::move(c));
        app->migrate();
        app->start(false);  // modules and bus; requests go straight to the pipeline
    }
    void stop() {
        app->stop();  // joins the bus and module threads
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

FuzzApp* instance = nullptr;

}  // namespace

app::App& fuzz_app() {
    if (!instance) {
        // Never destroyed: libFuzzer leaves through exit(), and tearing the app down among the
        // static destructors would race its threads against them. It is stopped (threads joined,
        // data directory removed) by an exit handler registered after it exists, which runs
        // before the destructors of everything made before it. Reachable from here, so LSan
        // does not count it as a leak.
        instance = new FuzzApp;
        std::atexit([] { instance->stop(); });
    }
    return *instance->app;
}

}  // namespace shop::fuzz
