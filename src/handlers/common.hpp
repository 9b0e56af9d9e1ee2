// What every handler file uses: the request context, the route table, the error model, and the
// one way to answer with a body written by dto/.
//
// The rule of this folder (docs/architecture.md): a handler parses and validates the request,
// checks who may call it, calls one domain function and hands the result to a dto/ writer. No
// SQL, no transactions, no JSON building here; the CI check scripts/check-layers.sh greps for it.
#pragma once

#include <string>

#include "app/context.hpp"
#include "app/routes.hpp"
#include "errors/errors.hpp"

namespace carat::handlers {

using app::Endpoint;

// 200 with a JSON body written by dto/.
inline http::Response json(std::string body) { return http::Response::json(std::move(body)); }
// Another status (201 Created) with a JSON body written by dto/.
inline http::Response json(std::string body, int status) {
  return http::Response::json(std::move(body), status);
}

}  // namespace carat::handlers
