#pragma once
// Pages embedded into the binary at build time.
namespace shop::http {
class Router;
}

namespace shop::web {

/// GET / (the storefront), /admin, /assets/{name} and /docs.
void register_web_routes(http::Router& router);

}  // namespace shop::web
