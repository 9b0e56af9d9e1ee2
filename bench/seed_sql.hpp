// SQL used only by the benchmark seeder (bench/seed_bench.cpp): a realistic data set written in
// batches with INSERT ... SELECT generate_series. PostgreSQL only. Every statement draws its
// random values from the session's random(), which the seeder seeds first (kSetSeed), so two
// runs produce the same data.
//
// Conventions: integer parameters are cast explicitly ($n::int) so the prepared statement's
// types never depend on inference. "first user id + count" pairs are passed instead of
// assuming ids start at 1.
#pragma once

#include "db/database.hpp"

namespace carat::db::bench_seed {

inline constexpr Query kSetSeed{"bench_setseed", "SELECT setseed($1::float8)"};

// Refuses to seed a database that already holds users (the seeder wants a fresh schema).
inline constexpr Query kUserCount{"bench_user_count", "SELECT count(*) FROM users"};

inline constexpr Query kUserRange{"bench_user_range",
                                  "SELECT min(id), count(*) FROM users"};
inline constexpr Query kPostRange{"bench_post_range",
                                  "SELECT min(id), max(id) - min(id) + 1 FROM posts"};
inline constexpr Query kMediaRange{"bench_media_range",
                                   "SELECT min(id), max(id) - min(id) + 1 FROM media_assets"};
inline constexpr Query kCommentRange{"bench_comment_range",
                                     "SELECT min(id), max(id) - min(id) + 1 FROM comments"};

// Users g = $1..$2 (the bench user is inserted before with users::kInsert). $3..$6: four
// bcrypt hashes shared round-robin (hashing 1,000 passwords at cost 12 would take minutes).
inline constexpr Query kInsertUsers{
    "bench_users",
    "INSERT INTO users (email, password_hash, display_name, membership_type, is_active, "
    "created_at, updated_at) "
    "SELECT 'user' || lpad(g::text, 4, '0') || '@bench.example', "
    "(ARRAY[$3::text, $4::text, $5::text, $6::text])[1 + g % 4], "
    "CASE WHEN g % 3 = 0 THEN 'ベンチ利用者' || g ELSE 'Bench User ' || g END, "
    "CASE WHEN g % 100 = 0 THEN 'admin' WHEN g % 4 = 0 THEN 'free' ELSE 'premium' END, "
    "g % 97 <> 0, ts, ts "
    "FROM (SELECT g, now() - random() * interval '400 days' AS ts "
    "FROM generate_series($1::int, $2::int) g) s ORDER BY g"};

// One profile per user.
inline constexpr Query kInsertProfiles{
    "bench_profiles",
    "INSERT INTO profiles (user_id, handle, bio, orientation_id, gender_id, pronoun_id, birthday, "
    "location, website, avatar_url, banner_url, is_profile_public, show_orientation, show_gender, "
    "show_pronoun, show_birthday, show_location, created_at, updated_at) "
    "SELECT u.id, 'user' || u.id, "
    "CASE WHEN u.id % 2 = 0 THEN 'こんにちは！アートと音楽が好きです。よろしくお願いします。' "
    "ELSE 'Hello! I love art, music and long walks in Kyoto.' END, "
    "1 + u.id % 10, 1 + (u.id / 10) % 10, 1 + (u.id / 100) % 10, "
    "CASE WHEN u.id % 3 = 0 THEN DATE '1975-01-01' + (u.id * 37) % 12000 END, "
    "(ARRAY['東京', '大阪', '京都', 'Sapporo', 'Fukuoka', NULL])[1 + u.id % 6], "
    "CASE WHEN u.id % 7 = 0 THEN 'https://example.com/~user' || u.id END, "
    "CASE WHEN u.id % 4 = 0 THEN '/media/avatar-' || u.id || '.jpg' END, NULL, "
    "u.id % 5 <> 0, u.id % 2 = 0, u.id % 3 = 0, true, false, u.id % 2 = 1, "
    "u.created_at, u.created_at FROM users u ORDER BY u.id"};

// Media assets g = $1..$2, owners among $3 (first user id) + [0, $4).
inline constexpr Query kInsertMedia{
    "bench_media",
    "INSERT INTO media_assets (user_id, url, mime_type, size_bytes, width, height, created_at) "
    "SELECT $3::int + floor(random() * $4::int)::int, "
    "'/media/bench-' || lpad(g::text, 6, '0') || CASE WHEN g % 5 = 0 THEN '.png' ELSE '.jpg' END, "
    "CASE WHEN g % 5 = 0 THEN 'image/png' ELSE 'image/jpeg' END, "
    "50000 + floor(random() * 3000000)::bigint, 640 + (g * 37) % 3360, 480 + (g * 53) % 2520, "
    "now() - random() * interval '90 days' "
    "FROM generate_series($1::int, $2::int) g ORDER BY g"};

// Posts g = $1..$2. Authors among $3 + [0, $4); 15 % carry a single image among $5 + [0, $6).
// Half file their category in the column, half (as the web client does) as a " #<category>"
// hashtag at the end of the body. Bodies are 100-1000 characters, 30 % Japanese. Visibility
// 60 % public, 20 % members, 12 % followers, 8 % private; 3 % drafts; half the "tours" posts
// are tourism posts (details in posts_tourism), 2 % of the others blog posts with a slug.
// created_at is spread over the last 90 days.
inline constexpr Query kInsertPosts{
    "bench_posts",
    "INSERT INTO posts (user_id, title, body, visibility, youtube_url, media_id, category, "
    "subcategory, post_type, slug, status, og_image_url, excerpt, created_at, updated_at) "
    "SELECT user_id, title, body, visibility, youtube_url, media_id, category, NULL, ptype, "
    "CASE WHEN ptype = 'blog' THEN 'bench-post-' || g END, status, NULL, "
    "CASE WHEN ptype = 'blog' THEN left(body, 80) END, ts, ts FROM ("
    "SELECT g, $3::int + floor(r_user * $4::int)::int AS user_id, "
    "CASE WHEN r_title < 0.4 THEN (CASE WHEN jp THEN '投稿 その' ELSE 'Post number ' END) || g END "
    "AS title, "
    "left(repeat(CASE WHEN jp THEN (ARRAY["
    "'今日は友だちと新しいカフェに行きました。ケーキがとても美味しかったです。', "
    "'週末のイベントに参加して、たくさんの素敵な人に会えました。ありがとう！', "
    "'最近描いた絵を載せます。虹色の空をテーマにしてみました。感想ください。', "
    "'おすすめの本や映画があったら教えてください。ゆっくり読みたいです。'])[1 + g % 4] "
    "ELSE (ARRAY["
    "'Spent the afternoon at the new gallery downtown, the light installations were amazing. ', "
    "'Looking for people to join a small weekend walking tour around the old town. ', "
    "'Just finished a new playlist for rainy days, mostly indie and a bit of jazz. ', "
    "'Found a lovely little bookshop with a great queer fiction section, highly recommended. '"
    "])[1 + g % 4] END, 40), len) || CASE WHEN tag THEN ' #' || cat ELSE '' END AS body, "
    "CASE WHEN r_vis < 0.60 THEN 'public' WHEN r_vis < 0.80 THEN 'members' "
    "WHEN r_vis < 0.92 THEN 'followers' ELSE 'private' END AS visibility, "
    "CASE WHEN r_misc < 0.03 THEN 'https://www.youtube.com/watch?v=bench' || g END AS youtube_url, "
    "CASE WHEN r_media < 0.15 THEN $5::int + floor(r_media / 0.15 * $6::int)::int END AS media_id, "
    "CASE WHEN NOT tag THEN cat END AS category, "
    "CASE WHEN cat = 'tours' AND r_misc >= 0.5 THEN 'tourism' WHEN r_misc >= 0.98 THEN 'blog' "
    "ELSE 'post' END AS ptype, "
    "CASE WHEN r_draft < 0.03 THEN 'draft' ELSE 'published' END AS status, ts FROM ("
    "SELECT g, random() AS r_user, random() AS r_title, random() < 0.3 AS jp, "
    "100 + floor(random() * 901)::int AS len, random() < 0.5 AS tag, "
    "(ARRAY['board', 'art', 'music', 'shops', 'tours', 'comics'])[1 + floor(random() * 6)::int] "
    "AS cat, random() AS r_vis, random() AS r_misc, random() AS r_media, random() AS r_draft, "
    "now() - random() * interval '90 days' AS ts "
    "FROM generate_series($1::int, $2::int) g) r) s ORDER BY g"};

inline constexpr Query kInsertTourism{
    "bench_tourism",
    "INSERT INTO posts_tourism (post_id, prefecture, event_datetime, meet_place, meet_address, "
    "tour_content, fee, contact_phone, contact_email, deadline, attachment_pdf_url) "
    "SELECT p.id, (ARRAY['東京都', '京都府', '大阪府', '北海道', '沖縄県'])[1 + p.id % 5], "
    "p.created_at + interval '14 days', '駅前広場', '1-2-3 Example-cho', "
    "'ガイドと一緒に街を歩くツアーです。初めての方も歓迎します。', (p.id % 5) * 1000, "
    "'03-0000-0000', 'tour' || p.id || '@bench.example', p.created_at + interval '10 days', "
    "CASE WHEN p.id % 3 = 0 THEN '/media/tour-' || p.id || '.pdf' END "
    "FROM posts p WHERE p.post_type = 'tourism' ORDER BY p.id"};

// About one post in ten gets a gallery of 1-4 images among $1 + [0, $2).
inline constexpr Query kInsertPostMedia{
    "bench_post_media",
    "INSERT INTO post_media (post_id, media_asset_id, order_index) "
    "SELECT p.id, $1::int + (p.id * 7 + k * 131) % $2::int, k FROM posts p "
    "CROSS JOIN LATERAL generate_series(0, p.id % 4) k WHERE p.id % 10 = 3 ORDER BY p.id, k"};

// $1 rows of reactions on posts: users $2 + [0, $3), posts $4 + [0, $5) skewed towards some
// popular posts; 89 % likes. Duplicates are skipped (the caller loops until the count is met).
inline constexpr Query kInsertPostReactions{
    "bench_post_reactions",
    "INSERT INTO reactions (user_id, target_type, target_id, reaction_type, created_at) "
    "SELECT $2::int + floor(random() * $3::int)::int, 'post', "
    "$4::int + floor(power(random(), 2) * $5::int)::int, "
    "CASE WHEN r < 0.89 THEN 'like' WHEN r < 0.95 THEN 'love' WHEN r < 0.98 THEN 'support' "
    "ELSE 'respect' END, now() - random() * interval '90 days' "
    "FROM (SELECT g, random() AS r FROM generate_series(1, $1::int) g) s "
    "ON CONFLICT DO NOTHING"};

// $1 reactions on comments $4 + [0, $5) by users $2 + [0, $3).
inline constexpr Query kInsertCommentReactions{
    "bench_comment_reactions",
    "INSERT INTO reactions (user_id, target_type, target_id, reaction_type, created_at) "
    "SELECT $2::int + floor(random() * $3::int)::int, 'comment', "
    "$4::int + floor(random() * $5::int)::int, CASE WHEN r < 0.8 THEN 'like' ELSE 'love' END, "
    "now() - random() * interval '60 days' "
    "FROM (SELECT g, random() AS r FROM generate_series(1, $1::int) g) s "
    "ON CONFLICT DO NOTHING"};

// $1 top-level comments on published posts among $4 + [0, $5) (skewed), by users $2 + [0, $3),
// written after their post.
inline constexpr Query kInsertComments{
    "bench_comments",
    "INSERT INTO comments (post_id, user_id, parent_id, body, created_at, updated_at) "
    "SELECT p.id, $2::int + floor(s.ru * $3::int)::int, NULL, "
    "left(repeat(CASE WHEN s.jp THEN '素敵ですね！私も行ってみたいです。' "
    "ELSE 'Love this, thanks for sharing! ' END, 12), 20 + floor(s.rl * 280)::int), "
    "p.created_at + s.rt * (now() - p.created_at), p.created_at + s.rt * (now() - p.created_at) "
    "FROM (SELECT g, $4::int + floor(power(random(), 1.5) * $5::int)::int AS pid, "
    "random() AS ru, random() AS rl, random() AS rt, random() < 0.4 AS jp "
    "FROM generate_series(1, $1::int) g) s "
    "JOIN posts p ON p.id = s.pid WHERE p.status = 'published' ORDER BY s.g"};

// $1 replies to comments among $4 + [0, $5), by users $2 + [0, $3).
inline constexpr Query kInsertReplies{
    "bench_replies",
    "INSERT INTO comments (post_id, user_id, parent_id, body, created_at, updated_at) "
    "SELECT c.post_id, $2::int + floor(s.ru * $3::int)::int, c.id, "
    "CASE WHEN s.jp THEN 'ありがとうございます 😊' ELSE 'Thank you, glad you liked it!' END, "
    "c.created_at + s.rt * (now() - c.created_at), c.created_at + s.rt * (now() - c.created_at) "
    "FROM (SELECT g, $4::int + floor(random() * $5::int)::int AS cid, random() AS ru, "
    "random() AS rt, random() < 0.4 AS jp FROM generate_series(1, $1::int) g) s "
    "JOIN comments c ON c.id = s.cid ORDER BY s.g"};

// $3 follows per user among users $1 + [0, $2); 95 % accepted, 5 % pending.
inline constexpr Query kInsertFollows{
    "bench_follows",
    "INSERT INTO follows (follower_user_id, followee_user_id, status, created_at) "
    "SELECT follower, followee, status, created_at FROM ("
    "SELECT u.id AS follower, "
    "$1::int + (u.id - $1::int + k * 37 + (u.id * 13) % 29) % $2::int AS followee, "
    "CASE WHEN (u.id + k) % 20 = 0 THEN 'pending' ELSE 'accepted' END AS status, "
    "now() - random() * interval '200 days' AS created_at "
    "FROM users u CROSS JOIN generate_series(1, $3::int) k) f "
    "WHERE follower <> followee ORDER BY follower, followee ON CONFLICT DO NOTHING"};

// $1 notifications for users $2 + [0, $3) about posts $4 + [0, $5).
inline constexpr Query kInsertNotifications{
    "bench_notifications",
    "INSERT INTO notifications (user_id, type, payload, is_read, created_at) "
    "SELECT $2::int + floor(random() * $3::int)::int, "
    "(ARRAY['reaction', 'comment', 'follow'])[1 + g % 3], "
    "json_build_object('actor_id', $2::int + (g * 7) % $3::int, "
    "'actor_display_name', 'Bench User ' || g, 'post_id', $4::int + (g * 11) % $5::int), "
    "random() < 0.6, now() - random() * interval '30 days' "
    "FROM generate_series(1, $1::int) g ORDER BY g"};

// Ids of published public posts, in a fixed pseudo-random order, for the wrk scripts (post
// detail, comments, like toggle).
inline constexpr Query kPublicPostIds{
    "bench_public_post_ids",
    "SELECT id FROM posts WHERE status = 'published' AND visibility = 'public' "
    "ORDER BY md5(id::text) LIMIT $1::int"};

// Row counts, for the summary.
inline constexpr Query kCounts{
    "bench_counts",
    "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM profiles), "
    "(SELECT count(*) FROM posts), (SELECT count(*) FROM posts_tourism), "
    "(SELECT count(*) FROM media_assets), (SELECT count(*) FROM post_media), "
    "(SELECT count(*) FROM reactions), (SELECT count(*) FROM comments), "
    "(SELECT count(*) FROM follows), (SELECT count(*) FROM notifications)"};

}  // namespace carat::db::bench_seed
