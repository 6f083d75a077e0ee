#include "web/web.hpp"

#include "platform/http.hpp"

namespace shop::web {

extern const char* const kIndexHtml;

void register_web_routes(http::Router& router) {
    using namespace shop::http;
    router.add({Method::get, "/", Access::anyone, "Landing page", "web"}, [](Request&) {
        auto r = Response::text(200, kIndexHtml, "text/html; charset=utf-8");
        r.headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
        r.headers.set("Cache-Control", "public, max-age=300");
        return r;
    });
}

}  // namespace shop::web
