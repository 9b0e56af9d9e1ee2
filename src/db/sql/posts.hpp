// SQL for posts.
#pragma once

#include "db/database.hpp"

namespace carat::db::sql::posts {

// Raw columns for the admin list (api.md §3.5), in output order.
inline constexpr Query kAdminAll{
    "posts_admin_all",
    "SELECT id, user_id, title, body, visibility, youtube_url, media_id, category, subcategory, "
    "post_type, slug, status, og_image_url, excerpt, created_at, updated_at FROM posts ORDER BY id"};

}  // namespace carat::db::sql::posts
