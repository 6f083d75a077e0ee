#include "web/web.hpp"

#include <cstring>

#include "platform/api.hpp"
#include "platform/http.hpp"
#include "web/assets.hpp"

namespace shop::web {

extern const char* const kDocsHtml;
extern const char* const kRedocJs;

const EmbeddedAsset* find_asset(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kAssetCount; ++i)
        if (kAssets[i].name == name) return &kAssets[i];
    return nullptr;
}

namespace {
using http::Request;
using http::Router;
using api::None;

// The pages' policy: scripts, styles and data only from this server; no inline script or event
// handler attribute runs, and no other site may frame the pages. Product images may be uploads
// (/media) or addresses given with the product, so images alone may come from any https origin.
constexpr const char* kPageCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; "
    "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Whether the client takes gzip (a `gzip` coding in Accept-Encoding not weighted q=0).
bool accepts_gzip(std::string_view accept) {
    while (!accept.empty()) {
        auto comma = accept.find(',');
        std::string_view item = accept.substr(0, comma);
        accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        auto semi = item.find(';');
        std::string_view coding = item.substr(0, semi);
        while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
        if (coding != "gzip" && coding != "*") continue;
        if (semi == std::string_view::npos) return true;
        std::string_view params = item.substr(semi + 1);
        auto q = params.find("q=");
        if (q == std::string_view::npos) return true;
        std::string_view v = params.substr(q + 2);
        // q=0, q=0.0, q=0.000: refused; anything else accepted.
        bool zero = !v.empty() && v.front() == '0';
        for (char c : v.substr(zero ? 1 : 0)) {
            if (c == ' ') break;
            if (c != '.' && c != '0') zero = false;
        }
        return !zero;
    }
    return false;
}

/// An embedded asset as a reply: 304 for a current If-None-Match, gzip when the client takes it,
/// revalidated on every use (`no-cache` with the ETag costs a 304 and keeps module imports fresh).
api::Out<api::Raw> asset_reply(Request& req, const EmbeddedAsset& a) {
    api::Out<api::Raw> out;
    out.headers.set("ETag", std::string(a.etag));
    out.headers.set("Cache-Control", "no-cache");
    out.headers.set("Vary", "Accept-Encoding");
    if (a.content_type.starts_with("text/html")) out.headers.set("Content-Security-Policy", kPageCsp);
    if (req.header("If-None-Match") == a.etag) {
        out.status = 304;
        return out;
    }
    out.headers.set("Content-Type", std::string(a.content_type));
    if (!a.gzip.empty() && accepts_gzip(req.header("Accept-Encoding"))) {
        out.headers.set("Content-Encoding", "gzip");
        out.body.text = std::string(a.gzip);
    } else {
        out.body.text = std::string(a.body);
    }
    return out;
}

void add_page(Router& router, std::string path, std::string id, std::string summary, std::string description, std::string_view file) {
    const EmbeddedAsset* page = find_asset(file);
    if (!page) throw std::logic_error("the web page " + std::string(file) + " was not embedded");
    api::add<None, None, api::Raw>(router,
                                   {.method = http::Method::get, .path = std::move(path), .id = std::move(id), .summary = std::move(summary),
                                    .description = std::move(description), .tag = "web",
                                    .reply_headers = {"ETag", "Content-Encoding", "Content-Security-Policy"}, .not_modified = true,
                                    .reply_types = {"text/html; charset=utf-8"}},
                                   [page](Request& req, None&, None&) { return asset_reply(req, *page); });
}

}  // namespace

void register_web_routes(http::Router& router) {
    using namespace shop::http;
    using api::None;
    add_page(router, "/", "getStorefront", "The storefront (a single-page app)",
             "The shell of the storefront; its script and styles are under /assets. Content-Security-Policy: scripts only from "
             "this server, none inline.",
             "index.html");
    // The links of the account mails (public_url + these paths, `?token=`): the storefront shell, whose
    // script shows the reset form or verifies the address.
    add_page(router, "/account/reset-password", "getPasswordResetPage", "The page of a password reset link",
             "The storefront shell; its script asks for the new password and posts it with the link's `token` to "
             "POST /api/v1/auth/password/reset.",
             "index.html");
    add_page(router, "/account/verify-email", "getEmailVerificationPage", "The page of an email verification link",
             "The storefront shell; its script posts the link's `token` to POST /api/v1/auth/email/verify and shows the outcome.",
             "index.html");
    add_page(router, "/account/unsubscribe", "getUnsubscribePage", "The page of a mail's unsubscribe link",
             "The storefront shell; its script asks for a click, then posts the link's `token` to POST /api/v1/notifications/unsubscribe.",
             "index.html");
    add_page(router, "/admin", "getAdminPages", "The admin pages (a single-page app for admins and vendors)",
             "The shell of the admin; it signs in with the cookie session and calls the admin API.", "admin.html");

    api::add<None, None, api::Raw>(
        router,
        {.method = Method::get, .path = "/assets/{name}", .id = "getWebAsset", .summary = "A script, style sheet or icon of the pages",
         .description = "Embedded in the binary at build time. `ETag` with `Cache-Control: no-cache` (a current If-None-Match is "
                        "304), gzip when the client accepts it (`Content-Encoding`, `Vary: Accept-Encoding`).",
         .tag = "web", .errors = {404}, .reply_headers = {"ETag", "Content-Encoding"}, .not_modified = true,
         .reply_types = {"text/javascript; charset=utf-8", "text/css; charset=utf-8", "image/svg+xml", "application/json"}},
        [](Request& req, None&, None&) {
            std::string name(req.param("name"));
            const EmbeddedAsset* a = find_asset(name);
            // The shells have their own paths; /assets holds what they load.
            if (!a || a->content_type.starts_with("text/html")) throw ErrorException(not_found("no asset '" + name + "'"));
            return asset_reply(req, *a);
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
