#include "web/web.hpp"

#include "platform/api.hpp"
#include "platform/http.hpp"

namespace shop::web {

extern const char* const kIndexHtml;

void register_web_routes(http::Router& router) {
    using namespace shop::http;
    api::add<api::None, api::None, api::Raw>(router,
                                            {.method = Method::get, .path = "/", .id = "getHomePage", .summary = "Landing page",
                                             .tag = "web", .content_type = "text/html; charset=utf-8"},
                                            [](Request&, api::None&, api::None&) {
                                                api::Out<api::Raw> out(api::Raw{kIndexHtml});
                                                out.headers.set("Content-Security-Policy",
                                                                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
                                                out.headers.set("Cache-Control", "public, max-age=300");
                                                return out;
                                            });
}

}  // namespace shop::web
