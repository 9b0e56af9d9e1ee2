#pragma once

#include "http/router.hpp"

namespace carat {

// Every route of the service (api.md §12).
http::Router build_router();

}  // namespace carat
