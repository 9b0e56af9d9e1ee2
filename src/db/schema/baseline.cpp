#include "db/schema/baseline.hpp"

namespace carat::db::schema {

namespace {

Column serial() { return {"id", Type::kSerial, 0, true}; }
Column ts(std::string_view name) { return {name, Type::kTimestamp, 0, false, "now"}; }
Column int_col(std::string_view name, bool not_null = false) {
  return {name, Type::kInt, 0, not_null};
}
Column vchar(std::string_view name, int n, bool not_null = false, std::string_view def = {}) {
  return {name, Type::kVarcharN, n, not_null, def};
}
Column flag(std::string_view name, std::string_view def) {
  return {name, Type::kBool, 0, false, def};
}

std::vector<Table> build_tables() {
  std::vector<Table> t;
  t.push_back({"users",
               {serial(),
                {"email", Type::kVarchar, 0, true},
                {"password_hash", Type::kVarchar, 0, true},
                vchar("display_name", 100, true),
                vchar("membership_type", 20, false, "'premium'"),
                flag("is_active", "true"),
                ts("created_at"),
                ts("updated_at")},
               {"CONSTRAINT users_pkey PRIMARY KEY (id)",
                "CONSTRAINT check_membership_type CHECK (membership_type IN "
                "('free', 'premium', 'admin'))"},
               {"CREATE INDEX IF NOT EXISTS ix_users_id ON users (id)",
                "CREATE UNIQUE INDEX IF NOT EXISTS ix_users_email ON users (email)"}});
  t.push_back({"orientations",
               {serial(), vchar("name", 50, true), ts("created_at")},
               {"CONSTRAINT orientations_pkey PRIMARY KEY (id)",
                "CONSTRAINT orientations_name_key UNIQUE (name)"},
               {"CREATE INDEX IF NOT EXISTS ix_orientations_id ON orientations (id)"}});
  t.push_back({"genders",
               {serial(), vchar("name", 50, true), ts("created_at")},
               {"CONSTRAINT genders_pkey PRIMARY KEY (id)",
                "CONSTRAINT genders_name_key UNIQUE (name)"},
               {"CREATE INDEX IF NOT EXISTS ix_genders_id ON genders (id)"}});
  t.push_back({"pronouns",
               {serial(), vchar("name", 50, true), ts("created_at")},
               {"CONSTRAINT pronouns_pkey PRIMARY KEY (id)",
                "CONSTRAINT pronouns_name_key UNIQUE (name)"},
               {"CREATE INDEX IF NOT EXISTS ix_pronouns_id ON pronouns (id)"}});
  t.push_back({"profiles",
               {int_col("user_id", true),
                {"handle", Type::kVarchar, 0, true},
                {"bio", Type::kText},
                {"orientation_id", Type::kInt, 0, false, "1"},
                {"gender_id", Type::kInt, 0, false, "1"},
                {"pronoun_id", Type::kInt, 0, false, "1"},
                {"birthday", Type::kDate},
                vchar("location", 100),
                vchar("website", 255),
                vchar("avatar_url", 500),
                vchar("banner_url", 500),
                flag("is_profile_public", "false"),
                flag("show_orientation", "false"),
                flag("show_gender", "false"),
                flag("show_pronoun", "false"),
                flag("show_birthday", "false"),
                flag("show_location", "false"),
                ts("created_at"),
                ts("updated_at")},
               {"CONSTRAINT profiles_pkey PRIMARY KEY (user_id)",
                "CONSTRAINT profiles_handle_key UNIQUE (handle)",
                "CONSTRAINT profiles_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)",
                "CONSTRAINT profiles_orientation_id_fkey FOREIGN KEY (orientation_id) "
                "REFERENCES orientations (id)",
                "CONSTRAINT profiles_gender_id_fkey FOREIGN KEY (gender_id) REFERENCES genders (id)",
                "CONSTRAINT profiles_pronoun_id_fkey FOREIGN KEY (pronoun_id) "
                "REFERENCES pronouns (id)"},
               {}});
  t.push_back({"media_assets",
               {serial(),
                int_col("user_id", true),
                vchar("url", 500, true),
                vchar("mime_type", 100, true),
                {"size_bytes", Type::kBigInt},
                int_col("width"),
                int_col("height"),
                ts("created_at")},
               {"CONSTRAINT media_assets_pkey PRIMARY KEY (id)",
                "CONSTRAINT media_assets_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)"},
               {"CREATE INDEX IF NOT EXISTS ix_media_assets_id ON media_assets (id)"}});
  t.push_back({"posts",
               {serial(),
                int_col("user_id", true),
                vchar("title", 200),
                {"body", Type::kText, 0, true},
                vchar("visibility", 20, false, "'public'"),
                vchar("youtube_url", 500),
                int_col("media_id"),
                vchar("category", 50),
                vchar("subcategory", 100),
                vchar("post_type", 20, true, "'post'"),
                vchar("slug", 200),
                vchar("status", 20, true, "'published'"),
                vchar("og_image_url", 500),
                {"excerpt", Type::kText},
                ts("created_at"),
                ts("updated_at")},
               {"CONSTRAINT posts_pkey PRIMARY KEY (id)",
                "CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)",
                "CONSTRAINT posts_media_id_fkey FOREIGN KEY (media_id) REFERENCES media_assets (id)",
                "CONSTRAINT check_post_visibility CHECK (visibility IN "
                "('public', 'members', 'followers', 'private'))",
                "CONSTRAINT check_post_type CHECK (post_type IN ('post', 'blog', 'tourism'))",
                "CONSTRAINT check_post_status CHECK (status IN ('draft', 'published'))"},
               {"CREATE INDEX IF NOT EXISTS ix_posts_id ON posts (id)",
                "CREATE UNIQUE INDEX IF NOT EXISTS ix_posts_slug ON posts (slug)"}});
  t.push_back({"comments",
               {serial(),
                int_col("post_id", true),
                int_col("user_id", true),
                int_col("parent_id"),
                {"body", Type::kText, 0, true},
                ts("created_at"),
                ts("updated_at")},
               {"CONSTRAINT comments_pkey PRIMARY KEY (id)",
                "CONSTRAINT comments_post_id_fkey FOREIGN KEY (post_id) REFERENCES posts (id)",
                "CONSTRAINT comments_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)",
                "CONSTRAINT comments_parent_id_fkey FOREIGN KEY (parent_id) "
                "REFERENCES comments (id)"},
               {"CREATE INDEX IF NOT EXISTS ix_comments_id ON comments (id)"}});
  t.push_back({"tags",
               {serial(), {"name", Type::kVarchar, 0, true}, ts("created_at")},
               {"CONSTRAINT tags_pkey PRIMARY KEY (id)", "CONSTRAINT tags_name_key UNIQUE (name)"},
               {"CREATE INDEX IF NOT EXISTS ix_tags_id ON tags (id)"}});
  t.push_back({"post_tags",
               {int_col("post_id", true), int_col("tag_id", true)},
               {"CONSTRAINT post_tags_pkey PRIMARY KEY (post_id, tag_id)",
                "CONSTRAINT post_tags_post_id_fkey FOREIGN KEY (post_id) REFERENCES posts (id)",
                "CONSTRAINT post_tags_tag_id_fkey FOREIGN KEY (tag_id) REFERENCES tags (id)"},
               {}});
  t.push_back({"post_media",
               {int_col("post_id", true),
                int_col("media_asset_id", true),
                {"order_index", Type::kInt, 0, true, "0"}},
               {"CONSTRAINT post_media_pkey PRIMARY KEY (post_id, media_asset_id)",
                "CONSTRAINT post_media_post_id_fkey FOREIGN KEY (post_id) REFERENCES posts (id)",
                "CONSTRAINT post_media_media_asset_id_fkey FOREIGN KEY (media_asset_id) "
                "REFERENCES media_assets (id)"},
               {"CREATE INDEX IF NOT EXISTS ix_post_media_post_id ON post_media (post_id)"}});
  t.push_back({"posts_tourism",
               {int_col("post_id", true),
                vchar("prefecture", 50),
                {"event_datetime", Type::kTimestamp},
                vchar("meet_place", 200),
                vchar("meet_address", 500),
                {"tour_content", Type::kText},
                int_col("fee"),
                vchar("contact_phone", 20),
                vchar("contact_email", 200),
                {"deadline", Type::kTimestamp},
                vchar("attachment_pdf_url", 500)},
               {"CONSTRAINT posts_tourism_pkey PRIMARY KEY (post_id)",
                "CONSTRAINT posts_tourism_post_id_fkey FOREIGN KEY (post_id) "
                "REFERENCES posts (id)"},
               {}});
  t.push_back({"follows",
               {int_col("follower_user_id", true),
                int_col("followee_user_id", true),
                vchar("status", 20, false, "'pending'"),
                ts("created_at")},
               {"CONSTRAINT follows_pkey PRIMARY KEY (follower_user_id, followee_user_id)",
                "CONSTRAINT follows_follower_user_id_fkey FOREIGN KEY (follower_user_id) "
                "REFERENCES users (id)",
                "CONSTRAINT follows_followee_user_id_fkey FOREIGN KEY (followee_user_id) "
                "REFERENCES users (id)",
                "CONSTRAINT check_follow_status CHECK (status IN "
                "('pending', 'accepted', 'blocked'))",
                "CONSTRAINT check_no_self_follow CHECK (follower_user_id != followee_user_id)"},
               {}});
  t.push_back({"reactions",
               {serial(),
                int_col("user_id", true),
                vchar("target_type", 20, true),
                int_col("target_id", true),
                vchar("reaction_type", 20, true),
                ts("created_at")},
               {"CONSTRAINT reactions_pkey PRIMARY KEY (id)",
                "CONSTRAINT reactions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)",
                "CONSTRAINT check_reaction_target_type CHECK (target_type IN "
                "('post', 'comment', 'review'))",
                "CONSTRAINT check_reaction_type CHECK (reaction_type IN "
                "('like', 'love', 'support', 'respect'))",
                "CONSTRAINT unique_user_reaction UNIQUE "
                "(user_id, target_type, target_id, reaction_type)"},
               {"CREATE INDEX IF NOT EXISTS ix_reactions_id ON reactions (id)"}});
  t.push_back({"notifications",
               {serial(),
                int_col("user_id", true),
                vchar("type", 50, true),
                {"payload", Type::kJson},
                flag("is_read", "false"),
                ts("created_at")},
               {"CONSTRAINT notifications_pkey PRIMARY KEY (id)",
                "CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) "
                "REFERENCES users (id)"},
               {"CREATE INDEX IF NOT EXISTS ix_notifications_id ON notifications (id)"}});
  t.push_back({"reports",
               {serial(),
                int_col("reporter_user_id", true),
                vchar("target_type", 20, true),
                int_col("target_id", true),
                {"reason", Type::kText, 0, true},
                vchar("status", 20, false, "'open'"),
                ts("created_at"),
                ts("updated_at")},
               {"CONSTRAINT reports_pkey PRIMARY KEY (id)",
                "CONSTRAINT reports_reporter_user_id_fkey FOREIGN KEY (reporter_user_id) "
                "REFERENCES users (id)",
                "CONSTRAINT check_report_target_type CHECK (target_type IN "
                "('post', 'comment', 'review', 'user'))",
                "CONSTRAINT check_report_status CHECK (status IN "
                "('open', 'under_review', 'resolved', 'dismissed'))"},
               {"CREATE INDEX IF NOT EXISTS ix_reports_id ON reports (id)"}});
  t.push_back({"blocks",
               {int_col("blocker_user_id", true), int_col("blocked_user_id", true),
                ts("created_at")},
               {"CONSTRAINT blocks_pkey PRIMARY KEY (blocker_user_id, blocked_user_id)",
                "CONSTRAINT blocks_blocker_user_id_fkey FOREIGN KEY (blocker_user_id) "
                "REFERENCES users (id)",
                "CONSTRAINT blocks_blocked_user_id_fkey FOREIGN KEY (blocked_user_id) "
                "REFERENCES users (id)",
                "CONSTRAINT check_no_self_block CHECK (blocker_user_id != blocked_user_id)"},
               {}});
  t.push_back({"content_items",
               {serial(),
                vchar("item_type", 20, true),
                vchar("title", 200, true),
                vchar("creator", 200),
                int_col("release_year"),
                vchar("isbn", 20),
                vchar("url", 500),
                ts("created_at")},
               {"CONSTRAINT content_items_pkey PRIMARY KEY (id)",
                "CONSTRAINT check_content_item_type CHECK (item_type IN "
                "('book', 'movie', 'drama', 'comic'))"},
               {"CREATE INDEX IF NOT EXISTS ix_content_items_id ON content_items (id)"}});
  t.push_back({"reviews",
               {serial(),
                int_col("item_id", true),
                int_col("user_id", true),
                int_col("rating", true),
                vchar("title", 200),
                {"body", Type::kText},
                ts("created_at"),
                ts("updated_at")},
               {"CONSTRAINT reviews_pkey PRIMARY KEY (id)",
                "CONSTRAINT reviews_item_id_fkey FOREIGN KEY (item_id) "
                "REFERENCES content_items (id)",
                "CONSTRAINT reviews_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)",
                "CONSTRAINT check_rating_range CHECK (rating >= 1 AND rating <= 5)",
                "CONSTRAINT unique_user_item_review UNIQUE (item_id, user_id)"},
               {"CREATE INDEX IF NOT EXISTS ix_reviews_id ON reviews (id)"}});
  t.push_back({"point_events",
               {serial(),
                int_col("user_id", true),
                vchar("event_type", 50, true),
                int_col("points", true),
                vchar("ref_type", 20),
                int_col("ref_id"),
                ts("created_at")},
               {"CONSTRAINT point_events_pkey PRIMARY KEY (id)",
                "CONSTRAINT point_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)"},
               {"CREATE INDEX IF NOT EXISTS ix_point_events_id ON point_events (id)"}});
  t.push_back({"awards",
               {serial(),
                vchar("name", 100, true),
                {"description", Type::kText},
                int_col("threshold_points", true),
                {"prize_amount_yen", Type::kInt, 0, false, "0"},
                ts("created_at")},
               {"CONSTRAINT awards_pkey PRIMARY KEY (id)",
                "CONSTRAINT awards_name_key UNIQUE (name)"},
               {"CREATE INDEX IF NOT EXISTS ix_awards_id ON awards (id)"}});
  t.push_back({"user_awards",
               {serial(), int_col("user_id", true), int_col("award_id", true), ts("awarded_at")},
               {"CONSTRAINT user_awards_pkey PRIMARY KEY (id)",
                "CONSTRAINT user_awards_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)",
                "CONSTRAINT user_awards_award_id_fkey FOREIGN KEY (award_id) "
                "REFERENCES awards (id)",
                "CONSTRAINT unique_user_award UNIQUE (user_id, award_id)"},
               {"CREATE INDEX IF NOT EXISTS ix_user_awards_id ON user_awards (id)"}});
  return t;
}

std::string type_sql(const Column& c, Dialect d) {
  const bool pg = d == Dialect::kPostgres;
  switch (c.type) {
    case Type::kSerial: return pg ? "SERIAL" : "INTEGER";
    case Type::kInt: return "INTEGER";
    case Type::kBigInt: return "BIGINT";
    case Type::kVarchar: return "VARCHAR";
    case Type::kVarcharN: return "VARCHAR(" + std::to_string(c.length) + ")";
    case Type::kText: return "TEXT";
    case Type::kBool: return "BOOLEAN";
    case Type::kTimestamp: return pg ? "TIMESTAMP WITH TIME ZONE" : "DATETIME";
    case Type::kDate: return "DATE";
    case Type::kJson: return "JSON";
  }
  return "TEXT";
}

std::string default_sql(const Column& c, Dialect d) {
  if (c.default_sql.empty()) return {};
  const bool pg = d == Dialect::kPostgres;
  // SQLite defaults must be understood by any client that opens the file (the legacy service
  // included), so CURRENT_TIMESTAMP and 0/1 rather than our now() function or true/false.
  if (c.default_sql == "now") return pg ? "now()" : "CURRENT_TIMESTAMP";
  if (c.default_sql == "true") return pg ? "true" : "1";
  if (c.default_sql == "false") return pg ? "false" : "0";
  return std::string(c.default_sql);
}

std::string column_sql(const Column& c, Dialect d, bool for_add) {
  std::string s = std::string(c.name) + " " + type_sql(c, d);
  const std::string def = default_sql(c, d);
  if (c.type == Type::kSerial && d == Dialect::kSqlite) {
    return s + " NOT NULL PRIMARY KEY AUTOINCREMENT";
  }
  // An added column may be NOT NULL only when a constant default fills the existing rows.
  const bool not_null = c.not_null && (!for_add || (!def.empty() && c.default_sql != "now"));
  if (not_null) s += " NOT NULL";
  if (!def.empty()) s += " DEFAULT " + def;
  return s;
}

}  // namespace

const std::vector<Table>& reference_tables() {
  static const std::vector<Table> tables = build_tables();
  return tables;
}

std::string create_table_sql(const Table& t, Dialect d) {
  std::string s = "CREATE TABLE IF NOT EXISTS " + std::string(t.name) + " (\n";
  bool first = true;
  for (const auto& c : t.columns) {
    if (!first) s += ",\n";
    first = false;
    s += "  " + column_sql(c, d, false);
  }
  const bool inline_pk = d == Dialect::kSqlite && !t.columns.empty() &&
                         t.columns.front().type == Type::kSerial;
  for (const auto& con : t.constraints) {
    if (inline_pk && con.find("PRIMARY KEY") != std::string_view::npos) continue;
    s += ",\n  ";
    s += con;
  }
  s += "\n)";
  return s;
}

std::string add_column_sql(const Table& t, const Column& c, Dialect d) {
  Column copy = c;
  if (copy.type == Type::kSerial) copy.type = Type::kInt;  // never a new identity column
  return "ALTER TABLE " + std::string(t.name) + " ADD COLUMN " + column_sql(copy, d, true);
}

const std::vector<LookupSeed>& lookup_seeds() {
  static const std::vector<LookupSeed> seeds = {
      {"orientations",
       {"unspecified", "heterosexual", "gay", "lesbian", "bisexual", "pansexual", "asexual",
        "demisexual", "queer", "questioning"}},
      {"genders",
       {"unspecified", "male", "female", "non-binary", "genderfluid", "agender", "transgender",
        "genderqueer", "two-spirit", "other"}},
      {"pronouns",
       {"unspecified", "he/him", "she/her", "they/them", "xe/xir", "ze/zir", "it/its",
        "any pronouns", "ask me", "no pronouns"}},
      {"tags", {"board", "art", "music", "shops", "tours", "comics"}},
  };
  return seeds;
}

const std::vector<AwardSeed>& award_seeds() {
  static const std::vector<AwardSeed> seeds = {
      {"Welcome Member", "First steps in our community", 10, 0},
      {"Active Contributor", "Regular participation and engagement", 100, 500},
      {"Community Builder", "Helping others and fostering connections", 500, 2000},
      {"Content Creator", "Sharing valuable content and creativity", 1000, 5000},
      {"Community Champion", "Outstanding leadership and support", 2500, 10000},
      {"LGBTQ+ Advocate", "Promoting awareness and positive change", 5000, 20000},
  };
  return seeds;
}

const std::vector<ContentItemSeed>& content_item_seeds() {
  static const std::vector<ContentItemSeed> seeds = {
      {"book", "Call Me By Your Name", "Andr\u00e9 Aciman", 2007},
      {"movie", "Moonlight", "Barry Jenkins", 2016},
      {"drama", "Pose", "Ryan Murphy", 2018},
      {"comic", "The Prince and the Dressmaker", "Jen Wang", 2018},
      {"book", "Red: A Crayon's Story", "Michael Hall", 2015},
      {"movie", "Love, Simon", "Greg Berlanti", 2018},
  };
  return seeds;
}

}  // namespace carat::db::schema
