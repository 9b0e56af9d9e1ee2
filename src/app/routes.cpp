#include "app/routes.hpp"

#include "handlers/common.hpp"

namespace carat {

http::Router build_router() {
  http::Router r;
  handlers::add_system_routes(r);
  handlers::add_auth_routes(r);
  handlers::add_user_routes(r);
  handlers::add_profile_routes(r);
  handlers::add_post_routes(r);
  handlers::add_comment_routes(r);
  handlers::add_reaction_routes(r);
  handlers::add_follow_routes(r);
  handlers::add_notification_routes(r);
  handlers::add_media_routes(r);
  handlers::add_docs_routes(r);
  return r;
}

}  // namespace carat
