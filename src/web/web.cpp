#include "web/web.hpp"

#include <cstring>

#include "platform/api.hpp"
#include "platform/http.hpp"

namespace shop::web {

extern const char* const kIndexHtml;
extern const char* const kDocsHtml;
extern const char* const kRedocJs;

void register_web_routes(http::Router& router) {
    using namespace shop::http;
    using api::None;
    api::add<None, None, api::Raw>(router,
                                   {.method = Method::get, .path = "/", .id = "getHomePage", .summary = "Landing page", .tag = "web",
                                    .content_type = "text/html; charset=utf-8"},
                                   [](Request&, None&, None&) {
                                       api::Out<api::Raw> out(api::Raw{kIndexHtml});
                                       out.headers.set("Content-Security-Policy",
                                                       "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
                                       out.headers.set("Cache-Control", "public, max-age=300");
                                       return out;
                                   });

    bool embedded = std::strlen(kRedocJs) > 0;
    api::add<None, None, api::Raw>(
        router,
        {.method = Method::get, .path = "/docs", .id = "getApiReference", .summary = "The API reference, rendered from /openapi.json",
         .description = "Redoc, served by the binary itself (no CDN).", .tag = "web", .content_type = "text/html; charset=utf-8"},
        [embedded](Request&, None&, None&) {
            api::Out<api::Raw> out(api::Raw{embedded ? kDocsHtml
                                                     : "<!doctype html><title>shop API</title><p>This build has no API renderer "
                                                       "(run scripts/setup, then build again). The description is at "
                                                       "<a href=\"/openapi.json\">/openapi.json</a>."});
            // Redoc injects its styles and fetches the document; scripts only from this server.
            out.headers.set("Content-Security-Policy",
                            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                            "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'");
            out.headers.set("Cache-Control", "public, max-age=300");
            return out;
        });

    api::add<None, None, api::Raw>(
        router,
        {.method = Method::get, .path = "/docs/redoc.standalone.js", .id = "getApiReferenceScript",
         .summary = "The Redoc script of /docs (embedded at build time)", .tag = "web", .errors = {404},
         .content_type = "application/javascript; charset=utf-8"},
        [embedded](Request&, None&, None&) {
            if (!embedded) throw ErrorException(not_found("this build has no API renderer"));
            api::Out<api::Raw> out(api::Raw{kRedocJs});
            out.headers.set("Cache-Control", "public, max-age=86400");
            return out;
        });
}

}  // namespace shop::web
