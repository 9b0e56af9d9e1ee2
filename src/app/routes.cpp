#include "app/routes.hpp"

#include "handlers/common.hpp"

namespace carat {

http::Router build_router() {
  http::Router r;
  handlers::add_system_routes(r);
  handlers::add_auth_routes(r);
  handlers::add_user_routes(r);
  handlers::add_profile_routes(r);
  return r;
}

}  // namespace carat
